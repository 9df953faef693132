"""Federated identity credentials: an app trusts tokens of an external issuer as assertions.

Entra ID lets an app registration trust, instead of a secret or certificate, a JWT from an
external identity provider (a Kubernetes service-account token issuer, GitHub Actions, ...)
for one issuer, subject and audience. The real service fetches the issuer's keys from its
OIDC discovery document; the emulator has no network, so the keys (a JWKS) are registered
with the credential.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import jwt

from ms_emulator.aad_errors import AadError
from ms_emulator.directory_models import AppRegistration, FederatedCredential

ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "ES256", "ES384"]
TOKEN_EXCHANGE_AUDIENCE = "api://AzureADTokenExchange"


def _invalid(code: int, message: str) -> AadError:
    return AadError("invalid_client", code, message, status=401)


def federated_credential_from_record(record: Mapping[str, Any]) -> FederatedCredential:
    """Build a credential from {"name", "issuer", "subject", "audiences"?, "jwks"}."""
    if not isinstance(record, Mapping):
        raise ValueError("each federated credential must be a JSON object")
    fields = {name: record.get(name) for name in ("name", "issuer", "subject")}
    for name, value in fields.items():
        if not isinstance(value, str) or not value:
            raise ValueError(f"federated credential {name} must be a non-empty string")
    audiences = record.get("audiences", [TOKEN_EXCHANGE_AUDIENCE])
    if not isinstance(audiences, list) or len(audiences) != 1 or not isinstance(audiences[0], str):
        raise ValueError("federated credential audiences must be a list of one string")
    jwks = record.get("jwks")
    if not isinstance(jwks, dict):
        raise ValueError("federated credential jwks (the issuer's signing keys) is required")
    try:
        jwt.PyJWKSet.from_dict(jwks)
    except jwt.PyJWTError as error:
        raise ValueError(f"federated credential jwks is not a usable JWKS: {error}") from None
    return FederatedCredential(
        name=str(fields["name"]),
        issuer=str(fields["issuer"]),
        subject=str(fields["subject"]),
        audience=audiences[0],
        jwks=dict(jwks),
    )


def is_federated_assertion(assertion: str, app: AppRegistration) -> bool:
    """True when the assertion comes from another issuer than the app itself."""
    if not app.federated_credentials:
        return False
    try:
        claims = jwt.decode(assertion, options={"verify_signature": False})
    except jwt.PyJWTError:
        return False
    return claims.get("iss") != app.client_id


def verify_federated_assertion(assertion: str, app: AppRegistration) -> FederatedCredential:
    """Check the assertion against the app's federated credentials, as Entra ID does."""
    try:
        header = jwt.get_unverified_header(assertion)
        claims = jwt.decode(assertion, options={"verify_signature": False})
    except jwt.PyJWTError:
        raise _invalid(50027, "Invalid JWT token. The client assertion is malformed.") from None
    issuer, subject, audience = claims.get("iss"), claims.get("sub"), claims.get("aud")
    audiences = audience if isinstance(audience, list) else [audience]
    candidates = [c for c in app.federated_credentials if c.issuer == issuer]
    if not candidates:
        raise _invalid(
            700211,
            f"No matching federated identity record found for presented assertion issuer "
            f"'{issuer}'.",
        )
    candidates = [c for c in candidates if c.subject == subject]
    if not candidates:
        raise _invalid(
            700213,
            f"No matching federated identity record found for presented assertion subject "
            f"'{subject}'.",
        )
    candidates = [c for c in candidates if c.audience in audiences]
    if not candidates:
        raise _invalid(
            700212,
            f"No matching federated identity record found for presented assertion audience "
            f"'{audience}'.",
        )
    for credential in candidates:
        for key in jwt.PyJWKSet.from_dict(dict(credential.jwks)).keys:
            if header.get("kid") and key.key_id and key.key_id != header.get("kid"):
                continue
            try:
                jwt.decode(
                    assertion,
                    key.key,
                    algorithms=ALGORITHMS,
                    audience=credential.audience,
                    issuer=credential.issuer,
                    options={"require": ["exp", "iss", "sub", "aud"]},
                )
            except jwt.ExpiredSignatureError:
                raise _invalid(
                    700024, "Client assertion is not within its valid time range."
                ) from None
            except jwt.PyJWTError:
                continue
            return credential
    raise _invalid(
        700027,
        "Client assertion failed signature validation: no signing key of issuer "
        f"'{issuer}' verifies it.",
    )
