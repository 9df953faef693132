"""The app's signed principal: ES256 with a kid, verifiable from the JWKS, rotation, settings."""

from __future__ import annotations

import json
from typing import Any

import jwt
import pytest
from auth_service.app import create_app
from auth_service.app_principal import (
    AppPrincipalTokens,
    SigningKey,
    development_signing_key,
    parse_signing_keys,
)
from auth_service.settings import AuthSettings
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from pydantic import ValidationError

ISSUER = "https://signin.contoso.example"
AUDIENCE = "https://signin.contoso.example/app/"
USER = {
    "home_account_id": "oid-1.tid-1",
    "oid": "oid-1",
    "tid": "tid-1",
    "name": "Adele Vance",
    "username": "adele@contoso.example",
}
SETTINGS: dict[str, Any] = {
    "client_id": "3f1c0d52-6b8e-4a1e-9c77-2b9d2f0c8a11",
    "client_secret": "a-real-looking-secret-value",
    "authority": "https://login.microsoftonline.com/contoso.example",
    "data_encryption_keys": "d" * 43,
    "identity_assertion_key": "i" * 43,
    "public_url": ISSUER,
}


def new_pem() -> str:
    key = ec.generate_private_key(ec.SECP256R1())
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()


def verify(token: str, jwks: dict[str, Any], *, audience: str = AUDIENCE) -> dict[str, Any]:
    """Verify token as an app would: the key named by its kid, from the JWKS."""
    kid = jwt.get_unverified_header(token)["kid"]
    keys = {jwk["kid"]: jwt.PyJWK(jwk) for jwk in jwks["keys"]}
    return jwt.decode(
        token, keys[kid], algorithms=["ES256"], audience=audience, issuer=ISSUER,
        options={"require": ["exp", "iat", "nbf", "iss", "aud", "sub"]},
    )  # fmt: skip


def test_the_principal_verifies_against_the_jwks_with_its_claims() -> None:
    tokens = AppPrincipalTokens(parse_signing_keys(new_pem()), issuer=ISSUER, audience=AUDIENCE)
    token = tokens.issue(USER)
    header = jwt.get_unverified_header(token)
    assert header["alg"] == "ES256" and header["kid"] == tokens.jwks()["keys"][0]["kid"]
    claims = verify(token, json.loads(json.dumps(tokens.jwks())))
    assert claims["sub"] == "oid-1" and claims["oid"] == "oid-1" and claims["tid"] == "tid-1"
    assert claims["name"] == "Adele Vance"
    assert claims["preferred_username"] == "adele@contoso.example"
    assert 0 < claims["exp"] - claims["iat"] <= 300 and claims["nbf"] == claims["iat"]
    assert all("d" not in jwk for jwk in tokens.jwks()["keys"])  # no private part published


def test_another_audience_or_key_is_refused() -> None:
    tokens = AppPrincipalTokens(parse_signing_keys(new_pem()), issuer=ISSUER, audience=AUDIENCE)
    with pytest.raises(jwt.InvalidAudienceError):
        verify(tokens.issue(USER), tokens.jwks(), audience="https://other.example/")
    forger = AppPrincipalTokens(parse_signing_keys(new_pem()), issuer=ISSUER, audience=AUDIENCE)
    forged = jwt.encode(
        jwt.decode(forger.issue(USER), options={"verify_signature": False}),
        parse_signing_keys(new_pem())[0].private_key,
        algorithm="ES256",
        headers={"kid": tokens.jwks()["keys"][0]["kid"]},
    )
    with pytest.raises(jwt.InvalidSignatureError):
        verify(forged, tokens.jwks())


def test_rotation_signs_with_the_newest_and_publishes_all() -> None:
    old_pem, new_pem_text = new_pem(), new_pem()
    before = AppPrincipalTokens(parse_signing_keys(old_pem), issuer=ISSUER, audience=AUDIENCE)
    old_token = before.issue(USER)
    after = AppPrincipalTokens(
        parse_signing_keys(new_pem_text + "\n" + old_pem), issuer=ISSUER, audience=AUDIENCE
    )
    new_token = after.issue(USER)
    kids = [jwk["kid"] for jwk in after.jwks()["keys"]]
    assert kids == [
        SigningKey(k.private_key).kid for k in parse_signing_keys(new_pem_text + old_pem)
    ]
    assert jwt.get_unverified_header(new_token)["kid"] == kids[0]
    assert jwt.get_unverified_header(old_token)["kid"] == kids[1]
    assert verify(old_token, after.jwks())["oid"] == verify(new_token, after.jwks())["oid"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("not a key", "PEM private keys"),
        ("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----", "key 1 is not a readable"),
        (
            rsa.generate_private_key(public_exponent=65537, key_size=2048)
            .private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
            .decode(),
            "not an EC key",
        ),
    ],
)
def test_unusable_keys_are_a_clear_settings_error(text: str, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        AuthSettings(**SETTINGS, app_principal_signing_keys=text)


def test_production_requires_a_key_and_refuses_the_development_one() -> None:
    with pytest.raises(ValidationError, match="APP_PRINCIPAL_SIGNING_KEYS|is not set"):
        AuthSettings(**SETTINGS)
    dev_pem = development_signing_key().private_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    with pytest.raises(ValidationError, match="development-only key"):
        AuthSettings(**SETTINGS, app_principal_signing_keys=dev_pem.decode())
    settings = AuthSettings(**SETTINGS, app_principal_signing_keys=new_pem(), app_path="/app/")
    assert settings.principal_audience == AUDIENCE
    development = AuthSettings(**{**SETTINGS, "app_env": "development"})
    assert [k.kid for k in development.app_principal_keys()] == [development_signing_key().kid]


def test_the_jwks_route_publishes_the_keys_without_a_session() -> None:
    settings = AuthSettings(**{**SETTINGS, "app_env": "development", "app_path": "/app/"})
    client = create_app(settings).test_client()
    answer = client.get("/.well-known/jwks.json")
    assert answer.status_code == 200
    assert answer.json == {"keys": [development_signing_key().public_jwk()]}
    assert "max-age" in answer.headers["Cache-Control"]
