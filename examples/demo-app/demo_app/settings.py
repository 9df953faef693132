"""demo-app settings, read from the environment."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class DemoAppSettings:
    """Where nginx serves the app (APP_PATH, the same value nginx is given)."""

    app_path: str = "/app/"
    # graph-service's grant port, for the backend's Graph calls as the user (graph_profile.py).
    graph_service_url: str | None = None

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] | None = None) -> DemoAppSettings:
        """Read APP_PATH; it must be a path that starts and ends with a slash."""
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
        )
