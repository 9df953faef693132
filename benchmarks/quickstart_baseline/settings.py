"""The baseline's settings: one frozen object read from the environment."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

SETTINGS_VARIABLES = (
    "CLIENT_ID",
    "CLIENT_SECRET",
    "AUTHORITY",
    "GRAPH_BASE_URL",
    "TRUSTED_CA_BUNDLE",
    "SESSION_DIR",
    "SECRET_KEY",
)


@dataclass(frozen=True)
class BaselineSettings:
    """Where the identity platform and Graph are, the app's credentials, and the session files."""

    client_id: str
    client_secret: str = field(repr=False)
    authority: str  # https://<host>/<tenant>
    graph_base_url: str  # https://<host>/v1.0
    trusted_ca_bundle: Path  # the emulator's CA, trusted explicitly
    session_dir: Path
    secret_key: str = field(repr=False)
    scopes: tuple[str, ...] = ("User.ReadBasic.All",)  # the sample's scope for /users

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> BaselineSettings:
        """Read every variable of SETTINGS_VARIABLES; a missing one is an error naming it."""
        env = os.environ if environ is None else environ
        missing = [name for name in SETTINGS_VARIABLES if not env.get(name)]
        if missing:
            raise ValueError("quickstart baseline: set " + ", ".join(missing))
        return cls(
            client_id=env["CLIENT_ID"],
            client_secret=env["CLIENT_SECRET"],
            authority=env["AUTHORITY"].rstrip("/"),
            graph_base_url=env["GRAPH_BASE_URL"].rstrip("/"),
            trusted_ca_bundle=Path(env["TRUSTED_CA_BUNDLE"]),
            session_dir=Path(env["SESSION_DIR"]),
            secret_key=env["SECRET_KEY"],
        )
