"""Checking the signed principal nginx forwards (X-Client-Principal-JWT) against the JWKS."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import jwt

PRINCIPAL_JWT_HEADER = "X-Client-Principal-JWT"
ALGORITHMS = ["ES256"]
REQUIRED_CLAIMS = ["exp", "iat", "nbf", "iss", "aud", "sub"]
# Clocks of the app and auth-service may differ a little: exp and nbf allow this much.
CLOCK_SKEW_SECONDS = 30


@dataclass(frozen=True)
class PrincipalCheck:
    """What was checked of one signed principal, and whether it passed."""

    verified: bool
    reason: str  # why it was refused, or "verified"
    kid: str | None = None
    issuer: str | None = None
    audience: str | None = None
    expires_at: int | None = None
    checks: dict[str, bool] = field(default_factory=dict)
    claims: dict[str, Any] = field(default_factory=dict)

    @property
    def status(self) -> int:
        """401 for a principal refused, 503 when the keys could not be fetched, else 200."""
        if self.verified:
            return 200
        return 503 if self.reason.startswith("could not fetch") else 401


class PrincipalVerifier:
    """Verifies signed principals with the keys at a JWKS URL (cached, refetched for new kids)."""

    def __init__(
        self, jwks_url: str, *, issuer: str, audience: str, cooldown_seconds: float = 30
    ) -> None:
        self._keys = jwt.PyJWKClient(
            jwks_url, cache_keys=True, lifespan=300, timeout=5, cooldown_duration=cooldown_seconds
        )
        self._issuer = issuer
        self._audience = audience

    def check(self, token: str | None) -> PrincipalCheck:
        """What was checked of token: verified only if kid, signature, iss, aud and times pass."""
        if not token:
            return self._refused(f"no {PRINCIPAL_JWT_HEADER} header")
        try:
            header = jwt.get_unverified_header(token)
        except jwt.DecodeError:
            return self._refused("not a JWT")
        kid = header.get("kid") if isinstance(header.get("kid"), str) else None
        checks = {"algorithm": header.get("alg") in ALGORITHMS, "kid": False}
        if kid is None:
            return self._refused("no kid in the JWT header", checks=checks)
        try:
            key = self._keys.get_signing_key(kid)
        except jwt.PyJWKClientConnectionError as error:
            return self._refused(f"could not fetch the JWKS: {error}", kid=kid, checks=checks)
        except jwt.PyJWKClientError:
            return self._refused("kid not in the JWKS", kid=kid, checks=checks)
        checks["kid"] = True
        try:
            claims = jwt.decode(
                token,
                key,
                algorithms=ALGORITHMS,
                audience=self._audience,
                issuer=self._issuer,
                options={"require": REQUIRED_CLAIMS},
                leeway=CLOCK_SKEW_SECONDS,
            )
        except jwt.PyJWTError as error:
            return self._refused(_refusal(error), kid=kid, checks=checks)
        checks.update(signature=True, issuer=True, audience=True, expiry=True, not_before=True)
        return PrincipalCheck(
            verified=True,
            reason="verified",
            kid=kid,
            issuer=self._issuer,
            audience=self._audience,
            expires_at=int(claims["exp"]),
            checks=checks,
            claims=claims,
        )

    def _refused(
        self, reason: str, *, kid: str | None = None, checks: dict[str, bool] | None = None
    ) -> PrincipalCheck:
        return PrincipalCheck(
            verified=False,
            reason=reason,
            kid=kid,
            issuer=self._issuer,
            audience=self._audience,
            checks=checks or {},
        )


def _refusal(error: jwt.PyJWTError) -> str:
    """Say which check failed, in words."""
    if isinstance(error, jwt.InvalidSignatureError):
        return "signature does not verify"
    if isinstance(error, jwt.ExpiredSignatureError):
        return "expired"
    if isinstance(error, jwt.ImmatureSignatureError):
        return "not valid yet"
    if isinstance(error, jwt.InvalidAudienceError):
        return "wrong audience"
    if isinstance(error, jwt.InvalidIssuerError):
        return "wrong issuer"
    if isinstance(error, jwt.InvalidAlgorithmError):
        return "algorithm not allowed"
    if isinstance(error, jwt.MissingRequiredClaimError):
        return f"missing claim {error.claim}"
    return f"unreadable: {error}"
