"""The emulator's settings: one frozen object read from the environment."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

DEFAULT_STATE_DIR = Path("/var/lib/emulator")


def default_seed_path() -> Path:
    """Return the path of the seed file packaged inside ms_emulator."""
    return Path(str(resources.files("ms_emulator").joinpath("seed.json")))


def _int_from(environ: Mapping[str, str], name: str, default: int, minimum: int = 1) -> int:
    """Read a positive integer variable, failing loudly on nonsense."""
    raw = environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ValueError(f"{name} must be an integer, got {raw!r}") from None
    if value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value}")
    return value


def _url_from(environ: Mapping[str, str], name: str) -> str | None:
    """Read an optional http(s) URL variable, without a trailing slash."""
    value = environ.get(name, "").strip().rstrip("/") or None
    if value and not value.startswith(("http://", "https://")):
        raise ValueError(f"{name} must be an http(s) URL")
    return value


@dataclass(frozen=True)
class EmulatorSettings:
    """Everything the emulator is configured with."""

    state_dir: Path = DEFAULT_STATE_DIR
    seed_path: Path = field(default_factory=default_seed_path)
    browser_url: str | None = None
    access_token_lifetime: int = 3600
    id_token_lifetime: int = 3600
    refresh_token_lifetime: int = 90 * 24 * 3600
    auth_code_lifetime: int = 600
    retired_key_grace: int = 24 * 3600
    threads: int = 8
    # Token sizes: 0 keeps the emulator's own compact tokens; a length makes every delegated
    # access token at least that many characters and every refresh token exactly that many,
    # as Entra's are (access tokens ~1,600-2,500, refresh tokens ~1,400).
    access_token_length: int = 0
    refresh_token_length: int = 0
    issuer_url: str | None = None  # the issuer's root for browser requests (browser_clients)

    @classmethod
    def from_env(
        cls,
        environ: Mapping[str, str] | None = None,
        *,
        state_dir: Path | None = None,
        seed_path: Path | None = None,
    ) -> EmulatorSettings:
        """Build settings from EMULATOR_* variables; explicit arguments win."""
        env = os.environ if environ is None else environ
        browser_url = env.get("EMULATOR_BROWSER_URL", "").strip().rstrip("/") or None
        if browser_url and not browser_url.startswith(("http://", "https://")):
            raise ValueError("EMULATOR_BROWSER_URL must be an http(s) URL")
        seed_from_env = env.get("EMULATOR_SEED_FILE", "").strip()
        state_from_env = env.get("EMULATOR_STATE_DIR", "").strip()
        return cls(
            state_dir=state_dir or (Path(state_from_env) if state_from_env else DEFAULT_STATE_DIR),
            seed_path=seed_path or (Path(seed_from_env) if seed_from_env else default_seed_path()),
            browser_url=browser_url,
            access_token_lifetime=_int_from(env, "EMULATOR_ACCESS_TOKEN_LIFETIME", 3600),
            id_token_lifetime=_int_from(env, "EMULATOR_ID_TOKEN_LIFETIME", 3600),
            refresh_token_lifetime=_int_from(
                env, "EMULATOR_REFRESH_TOKEN_LIFETIME", 90 * 24 * 3600
            ),
            auth_code_lifetime=_int_from(env, "EMULATOR_AUTH_CODE_LIFETIME", 600),
            retired_key_grace=_int_from(env, "EMULATOR_RETIRED_KEY_GRACE", 24 * 3600, minimum=0),
            threads=_int_from(env, "EMULATOR_THREADS", 8),
            access_token_length=_int_from(env, "EMULATOR_ACCESS_TOKEN_LENGTH", 0, minimum=0),
            refresh_token_length=_int_from(env, "EMULATOR_REFRESH_TOKEN_LENGTH", 0, minimum=0),
            issuer_url=_url_from(env, "EMULATOR_ISSUER_URL"),
        )
