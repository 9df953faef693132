"""Token-signing keys: stored in the state directory, published as JWKS, rotatable."""

from __future__ import annotations

import base64
import datetime
import json
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from ms_emulator.pem_files import new_rsa_key, private_key_pem, write_file

KEYS_FILE_NAME = "signing-keys.json"


def b64url(data: bytes) -> str:
    """Base64url-encode without padding."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _int_b64url(number: int) -> str:
    return b64url(number.to_bytes((number.bit_length() + 7) // 8, "big"))


@dataclass(frozen=True)
class StoredKey:
    """One signing key as kept on disk."""

    kid: str
    private_key_pem: str
    certificate_pem: str
    created_at: float
    retired_at: float | None = None

    def private_key(self) -> rsa.RSAPrivateKey:
        """The RSA private key object."""
        key = serialization.load_pem_private_key(self.private_key_pem.encode(), password=None)
        assert isinstance(key, rsa.RSAPrivateKey)
        return key

    def jwk(self) -> dict[str, Any]:
        """The public JWK, shaped like Entra's (with x5t and x5c)."""
        numbers = self.private_key().public_key().public_numbers()
        der = x509.load_pem_x509_certificate(self.certificate_pem.encode()).public_bytes(
            serialization.Encoding.DER
        )
        return {
            "kty": "RSA", "use": "sig", "alg": "RS256", "kid": self.kid, "x5t": self.kid,
            "n": _int_b64url(numbers.n), "e": _int_b64url(numbers.e),
            "x5c": [base64.b64encode(der).decode("ascii")],
        }


def _new_stored_key() -> StoredKey:
    """Generate a key with a self-signed certificate; kid is the certificate thumbprint."""
    key = new_rsa_key()
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "ms-emulator token signing")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name)
        .public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=3650))
        .sign(key, hashes.SHA256())
    )
    return StoredKey(
        kid=b64url(cert.fingerprint(hashes.SHA1())),  # noqa: S303 - x5t is SHA-1 by spec
        private_key_pem=private_key_pem(key).decode("ascii"),
        certificate_pem=cert.public_bytes(serialization.Encoding.PEM).decode("ascii"),
        created_at=time.time(),
    )


def _read_keys(path: Path) -> list[StoredKey]:
    if not path.exists():
        return []
    return [StoredKey(**item) for item in json.loads(path.read_text("utf-8"))["keys"]]


def _write_keys(path: Path, keys: list[StoredKey]) -> None:
    payload = json.dumps({"keys": [asdict(key) for key in keys]}, indent=2)
    write_file(path, payload.encode("utf-8"), 0o600)


def ensure_signing_keys(state_dir: Path) -> Path:
    """Create the signing-key file with one key unless it already exists."""
    state_dir.mkdir(parents=True, exist_ok=True)
    path = state_dir / KEYS_FILE_NAME
    if not _read_keys(path):
        _write_keys(path, [_new_stored_key()])
    return path


class KeyRing:
    """The current signing key plus recently retired ones, guarded by a lock."""

    def __init__(self, state_dir: Path, retired_key_grace: int) -> None:
        self._path = ensure_signing_keys(state_dir)
        self._grace = retired_key_grace
        self._lock = threading.Lock()
        self._keys = _read_keys(self._path)
        self._private_keys = {key.kid: key.private_key() for key in self._keys}

    def active(self) -> tuple[str, rsa.RSAPrivateKey]:
        """The kid and private key used to sign new tokens."""
        with self._lock:
            current = self._keys[-1]
            return current.kid, self._private_keys[current.kid]

    def _published(self, now: float) -> list[StoredKey]:
        return [
            key for key in self._keys
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
        fresh = _new_stored_key()
        with self._lock:
            now = time.time()
            self._keys = [
                key if key.retired_at else StoredKey(**{**asdict(key), "retired_at": now})
                for key in self._published(now)
            ] + [fresh]
            self._private_keys = {key.kid: key.private_key() for key in self._keys}
            _write_keys(self._path, self._keys)
        return fresh.kid
