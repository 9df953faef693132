"""Certificates, PEM files and client assertions that the credential tests need."""

from __future__ import annotations

import datetime
import json
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import jwt
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID
from jwt.algorithms import RSAAlgorithm

PrivateKey = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey


@dataclass(frozen=True)
class KeyAndCertificate:
    """A private key and a certificate for it."""

    key: PrivateKey
    certificate: x509.Certificate

    @property
    def certificate_pem(self) -> str:
        """The certificate in PEM form."""
        return self.certificate.public_bytes(serialization.Encoding.PEM).decode()

    @property
    def sha1_thumbprint(self) -> str:
        """Upper-case hex SHA-1 thumbprint, as Entra shows it."""
        return self.certificate.fingerprint(hashes.SHA1()).hex().upper()


def new_certificate(
    common_name: str = "signin-stack test client",
    *,
    days: float = 1,
    key: PrivateKey | None = None,
    issuer: KeyAndCertificate | None = None,
) -> KeyAndCertificate:
    """A certificate valid for days (negative: already expired), self-signed unless issuer."""
    key = key or rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    now = datetime.datetime.now(datetime.UTC)
    end = now + datetime.timedelta(days=days)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(issuer.certificate.subject if issuer else name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(min(now, end) - datetime.timedelta(days=1))
        .not_valid_after(end)
        .sign(issuer.key if issuer else key, hashes.SHA256())
    )
    return KeyAndCertificate(key, certificate)


def write_pem(
    path: Path,
    key: PrivateKey | None,
    *certificates: x509.Certificate,
    password: str | None = None,
) -> Path:
    """Write key (encrypted with password if given) and certificates, in that order, to path."""
    parts: list[bytes] = []
    if key is not None:
        encryption: serialization.KeySerializationEncryption = (
            serialization.BestAvailableEncryption(password.encode())
            if password
            else serialization.NoEncryption()
        )
        parts.append(
            key.private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption
            )
        )
    parts += [certificate.public_bytes(serialization.Encoding.PEM) for certificate in certificates]
    path.write_bytes(b"".join(parts))
    return path


@dataclass(frozen=True)
class TokenIssuerKey:
    """One signing key of an external token issuer, such as a cluster's service-account issuer."""

    kid: str
    key: rsa.RSAPrivateKey

    @property
    def jwk(self) -> dict[str, str]:
        """The public key as the issuer's JWKS publishes it."""
        public: dict[str, str] = json.loads(RSAAlgorithm.to_jwk(self.key.public_key()))
        return {**public, "kid": self.kid, "use": "sig", "alg": "RS256"}

    def token(self, *, issuer: str, subject: str, audience: str, lifetime: int = 3600) -> str:
        """A token as the issuer makes it (a projected service-account token has this shape)."""
        now = int(time.time())
        claims = {
            "iss": issuer,
            "sub": subject,
            "aud": [audience],
            "iat": now,
            "nbf": now,
            "exp": now + lifetime,
            "jti": str(uuid.uuid4()),
        }
        return jwt.encode(claims, self.key, algorithm="RS256", headers={"kid": self.kid})


def new_token_issuer_key(kid: str) -> TokenIssuerKey:
    """A fresh RSA signing key named kid."""
    return TokenIssuerKey(kid, rsa.generate_private_key(public_exponent=65537, key_size=2048))


def new_signing_key_pem() -> str:
    """A new P-256 private key, PEM (PKCS#8): an APP_PRINCIPAL_SIGNING_KEYS value."""
    key = ec.generate_private_key(ec.SECP256R1())
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
