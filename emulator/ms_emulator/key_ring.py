"""The key ring: the active signing key plus retired ones still published in the JWKS."""

from __future__ import annotations

import threading
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric import rsa

from ms_emulator.signing_keys import (
    StoredKey,
    ensure_signing_keys,
    new_stored_key,
    read_keys,
    write_keys,
)


class KeyRing:
    """The current signing key plus recently retired ones, guarded by a lock."""

    def __init__(self, state_dir: Path, retired_key_grace: int) -> None:
        self._path = ensure_signing_keys(state_dir)
        self._grace = retired_key_grace
        self._lock = threading.Lock()
        self._keys = read_keys(self._path)
        self._private_keys = {key.kid: key.private_key() for key in self._keys}

    def active(self) -> tuple[str, rsa.RSAPrivateKey]:
        """The kid and private key used to sign new tokens."""
        with self._lock:
            current = self._keys[-1]
            return current.kid, self._private_keys[current.kid]

    def _published(self, now: float) -> list[StoredKey]:
        return [
            key
            for key in self._keys
            if key.retired_at is None or now - key.retired_at <= self._grace
        ]

    def public_key(self, kid: str) -> rsa.RSAPublicKey | None:
        """The public key for kid while it is still published, else None."""
        with self._lock:
            for key in self._published(time.time()):
                if key.kid == kid:
                    return self._private_keys[kid].public_key()
        return None

    def jwks(self) -> dict[str, Any]:
        """The JSON Web Key Set: active key first, then retired keys still in grace."""
        with self._lock:
            published = list(reversed(self._published(time.time())))
        return {"keys": [key.jwk() for key in published]}

    def rotate(self) -> str:
        """Make a new active key, retire the previous one, and persist; return the new kid."""
        fresh = new_stored_key()
        with self._lock:
            now = time.time()
            self._keys = [
                key if key.retired_at else StoredKey(**{**asdict(key), "retired_at": now})
                for key in self._published(now)
            ] + [fresh]
            self._private_keys = {key.kid: key.private_key() for key in self._keys}
            write_keys(self._path, self._keys)
        return fresh.kid
