"""Checking private_key_jwt client assertions against an app's registered certificates."""

from __future__ import annotations

import base64
import binascii

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from ms_emulator.aad_errors import AadError
from ms_emulator.directory_models import AppCertificate, AppRegistration

ALGORITHMS = ["RS256", "PS256"]


def _invalid(code: int, message: str) -> AadError:
    return AadError("invalid_client", code, message, status=401)


def _thumbprint_hex(value: object) -> str | None:
    """Decode a base64url x5t / x5t#S256 header value to upper-case hex."""
    if not isinstance(value, str):
        return None
    try:
        return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)).hex().upper()
    except (binascii.Error, ValueError):
        return None


def _registered_certificate(header: dict[str, object], app: AppRegistration) -> AppCertificate:
    sha256 = _thumbprint_hex(header.get("x5t#S256"))
    sha1 = _thumbprint_hex(header.get("x5t")) or (
        str(header["kid"]).upper() if isinstance(header.get("kid"), str) else None
    )
    for certificate in app.certificates:
        if certificate.thumbprint_sha256 == sha256 or certificate.thumbprint_sha1 == sha1:
            return certificate
    raise _invalid(
        700027,
        "Client assertion failed signature validation. [Reason - The key "
        f"was not found., Thumbprint of key used by client: '{sha256 or sha1}']",
    )


def verify_client_assertion(
    assertion: str, app: AppRegistration, token_endpoints: tuple[str, ...]
) -> None:
    """Verify signature, audience, issuer/subject and lifetime of a client assertion."""
    try:
        header = jwt.get_unverified_header(assertion)
    except jwt.PyJWTError:
        raise _invalid(50027, "Invalid JWT token. The client assertion is malformed.") from None
    certificate = _registered_certificate(header, app)
    public_key = serialization.load_pem_public_key(certificate.public_key_pem.encode())
    if not isinstance(public_key, rsa.RSAPublicKey):
        raise _invalid(700027, "Only RSA certificates are supported by the emulator.")
    try:
        claims = jwt.decode(
            assertion,
            public_key,
            algorithms=ALGORITHMS,
            audience=list(token_endpoints),
            options={"require": ["exp", "aud", "iss", "sub"]},
            leeway=300,
        )
    except jwt.ExpiredSignatureError:
        raise _invalid(700024, "Client assertion is not within its valid time range.") from None
    except jwt.InvalidAudienceError:
        raise _invalid(
            700212,
            "No matching federated identity record found for presented "
            "assertion audience; the audience must be the token endpoint.",
        ) from None
    except jwt.InvalidSignatureError:
        raise _invalid(700027, "Client assertion failed signature validation.") from None
    except jwt.PyJWTError as error:
        raise _invalid(50027, f"Invalid JWT token. {error}") from None
    if claims.get("iss") != app.client_id or claims.get("sub") != app.client_id:
        raise _invalid(
            700021, "Client assertion application identifier doesn't match 'client_id' parameter."
        )
