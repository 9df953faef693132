"""The signed principal for the app behind nginx: an ES256 JWT it verifies against our JWKS."""

from __future__ import annotations

import base64
import hashlib
import json
import re
import time
from collections.abc import Mapping
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

APP_PRINCIPAL_HEADER = "X-Client-Principal-JWT"
JWKS_PATH = "/.well-known/jwks.json"
ALGORITHM = "ES256"
LIFETIME_SECONDS = 300
PEM_BLOCK = re.compile(
    r"-----BEGIN [A-Z ]*PRIVATE KEY-----.+?-----END [A-Z ]*PRIVATE KEY-----", re.S
)
# Development only: a fixed P-256 key, so every process of `make dev` and compose publishes
# the same JWKS with no setup. Production refuses it (AuthSettings); its kid is public.
_DEVELOPMENT_KEY_SEED = b"signin-stack development-only app principal signing key"


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


class SigningKey:
    """One P-256 private key and its public JWK; the kid is the key's RFC 7638 thumbprint."""

    def __init__(self, private_key: ec.EllipticCurvePrivateKey) -> None:
        if not isinstance(private_key.curve, ec.SECP256R1):
            raise ValueError("must be P-256 (prime256v1) keys, for ES256")
        self.private_key = private_key
        numbers = private_key.public_key().public_numbers()
        self._public = {
            "crv": "P-256",
            "kty": "EC",
            "x": _b64url(numbers.x.to_bytes(32, "big")),
            "y": _b64url(numbers.y.to_bytes(32, "big")),
        }
        canonical = json.dumps(self._public, sort_keys=True, separators=(",", ":"))
        self.kid = _b64url(hashlib.sha256(canonical.encode()).digest())

    def public_jwk(self) -> dict[str, str]:
        """The public key as a JWK, with its kid, use and algorithm."""
        return {**self._public, "kid": self.kid, "use": "sig", "alg": ALGORITHM}


def parse_signing_keys(text: str) -> list[SigningKey]:
    """Read PEM private keys (PKCS#8 or SEC1), newest first; raise ValueError saying why not."""
    blocks = PEM_BLOCK.findall(text)
    if not blocks:
        raise ValueError("must hold one or more PEM private keys (-----BEGIN PRIVATE KEY-----)")
    keys = []
    for position, block in enumerate(blocks, start=1):
        try:
            loaded = serialization.load_pem_private_key(block.encode(), password=None)
        except (ValueError, TypeError) as error:
            raise ValueError(f"key {position} is not a readable unencrypted PEM key") from error
        if not isinstance(loaded, ec.EllipticCurvePrivateKey):
            raise ValueError(f"key {position} is not an EC key: use P-256 keys, for ES256")
        keys.append(SigningKey(loaded))
    return keys


def development_signing_key() -> SigningKey:
    """The fixed development-only key (the same in every process, never for production)."""
    seed = int.from_bytes(hashlib.sha256(_DEVELOPMENT_KEY_SEED).digest(), "big")
    order = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551
    return SigningKey(ec.derive_private_key(seed % (order - 1) + 1, ec.SECP256R1()))


class AppPrincipalTokens:
    """Signs the principal with the first key and publishes every key, for rotation."""

    def __init__(
        self,
        keys: list[SigningKey],
        *,
        issuer: str,
        audience: str,
        lifetime_seconds: int = LIFETIME_SECONDS,
    ) -> None:
        if not keys:
            raise ValueError("at least one signing key is needed")
        self._keys = keys
        self._issuer = issuer
        self._audience = audience
        self._lifetime = lifetime_seconds

    def issue(self, user: Mapping[str, Any]) -> str:
        """Return the signed principal of a session's user, valid for a few minutes."""
        now = int(time.time())
        claims = {
            "iss": self._issuer,
            "aud": self._audience,
            "iat": now,
            "nbf": now,
            "exp": now + self._lifetime,
            "sub": str(user.get("oid") or user.get("home_account_id", "")),
            "oid": str(user.get("oid", "")),
            "tid": str(user.get("tid", "")),
            "name": str(user.get("name", "")),
            "preferred_username": str(user.get("username", "")),
        }
        # How the user signed in (step_up.py), as the ID token said: contexts and methods.
        for name in ("acrs", "amr"):
            if user.get(name):
                claims[name] = [str(value) for value in user[name]]
        if user.get("azp"):  # an API client's request: the client app that called
            claims["azp"] = str(user["azp"])
        if user.get("idtyp") == "app":  # an app's own token: no user at all
            claims["idtyp"] = "app"
            claims["roles"] = list(user.get("roles") or [])
        signer = self._keys[0]
        return jwt.encode(
            claims, signer.private_key, algorithm=ALGORITHM, headers={"kid": signer.kid}
        )

    def jwks(self) -> dict[str, list[dict[str, str]]]:
        """The JSON Web Key Set the app fetches: every configured key, newest first."""
        return {"keys": [key.public_jwk() for key in self._keys]}
