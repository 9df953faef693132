"""Where the TLS files live in a state directory."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class TlsFiles:
    """Paths of the CA and server certificate files in a state directory."""

    ca_cert: Path
    ca_key: Path
    server_cert: Path
    server_key: Path

    @classmethod
    def in_dir(cls, state_dir: Path) -> TlsFiles:
        """Return the standard file locations under state_dir."""
        return cls(
            state_dir / "ca.crt",
            state_dir / "ca.key",
            state_dir / "server.crt",
            state_dir / "server.key",
        )
