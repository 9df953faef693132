"""Token-signing keys as stored in the state directory (with a self-signed certificate each)."""

from __future__ import annotations

import base64
import datetime
import json
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
            "kty": "RSA",
            "use": "sig",
            "alg": "RS256",
            "kid": self.kid,
            "x5t": self.kid,
            "n": _int_b64url(numbers.n),
            "e": _int_b64url(numbers.e),
            "x5c": [base64.b64encode(der).decode("ascii")],
        }


def new_stored_key() -> StoredKey:
    """Generate a key with a self-signed certificate; kid is the certificate thumbprint."""
    key = new_rsa_key()
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "ms-emulator token signing")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
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


def read_keys(path: Path) -> list[StoredKey]:
    """The stored keys, oldest first (empty when the file does not exist)."""
    if not path.exists():
        return []
    return [StoredKey(**item) for item in json.loads(path.read_text("utf-8"))["keys"]]


def write_keys(path: Path, keys: list[StoredKey]) -> None:
    """Persist keys (0600)."""
    payload = json.dumps({"keys": [asdict(key) for key in keys]}, indent=2)
    write_file(path, payload.encode("utf-8"), 0o600)


def ensure_signing_keys(state_dir: Path) -> Path:
    """Create the signing-key file with one key unless it already exists."""
    state_dir.mkdir(parents=True, exist_ok=True)
    path = state_dir / KEYS_FILE_NAME
    if not read_keys(path):
        write_keys(path, [new_stored_key()])
    return path
