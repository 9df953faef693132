"""demo-app settings, read from the environment."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class PrincipalSettings:
    """Where the signed principal's keys are, and what its issuer and audience must be."""

    jwks_url: str
    issuer: str
    audience: str
    cooldown_seconds: float = 30


@dataclass(frozen=True)
class DemoAppSettings:
    """Where nginx serves the app (APP_PATH, the same value nginx is given), and, when
    PRINCIPAL_JWKS_URL is set, how to verify the signed principal (then required)."""

    app_path: str = "/app/"
    # graph-service's grant port, for the backend's Graph calls as the user (graph_profile.py).
    graph_service_url: str | None = None
    principal: PrincipalSettings | None = None

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] | None = None) -> DemoAppSettings:
        """Read APP_PATH (a path that starts and ends with a slash) and the PRINCIPAL_* values."""
        env = os.environ if environ is None else environ
        app_path = env.get("APP_PATH", "/app/").strip() or "/app/"
        if not app_path.startswith("/") or app_path.startswith("//"):
            raise ValueError(f"APP_PATH must be a path such as /app/, not {app_path!r}")
        graph_service_url = env.get("GRAPH_SERVICE_URL", "").strip() or None
        if graph_service_url and not graph_service_url.startswith(("http://", "https://")):
            raise ValueError(f"GRAPH_SERVICE_URL must be an http(s) URL, not {graph_service_url!r}")
        return cls(
            app_path=app_path if app_path.endswith("/") else app_path + "/",
            graph_service_url=graph_service_url,
            principal=_principal_settings(env),
        )


def _principal_settings(env: Mapping[str, str]) -> PrincipalSettings | None:
    jwks_url = env.get("PRINCIPAL_JWKS_URL", "").strip()
    if not jwks_url:
        return None
    if not jwks_url.startswith(("http://", "https://")):
        raise ValueError(f"PRINCIPAL_JWKS_URL must be an http(s) URL, not {jwks_url!r}")
    issuer = env.get("PRINCIPAL_ISSUER", "").strip()
    audience = env.get("PRINCIPAL_AUDIENCE", "").strip()
    if not issuer or not audience:
        raise ValueError(
            "PRINCIPAL_JWKS_URL is set: set PRINCIPAL_ISSUER (the stack's PUBLIC_URL) and "
            "PRINCIPAL_AUDIENCE (auth-service's APP_AUDIENCE, by default PUBLIC_URL + APP_PATH)"
        )
    cooldown = env.get("PRINCIPAL_JWKS_COOLDOWN_SECONDS", "30").strip() or "30"
    try:
        cooldown_seconds = float(cooldown)
    except ValueError:
        raise ValueError(
            f"PRINCIPAL_JWKS_COOLDOWN_SECONDS must be seconds, not {cooldown!r}"
        ) from None
    if not 0 <= cooldown_seconds <= 3600:
        raise ValueError("PRINCIPAL_JWKS_COOLDOWN_SECONDS must be 0 to 3600")
    return PrincipalSettings(jwks_url, issuer, audience, cooldown_seconds)
