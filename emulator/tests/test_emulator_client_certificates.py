"""client_credentials with a certificate (private_key_jwt), using MSAL's certificate credential."""

from __future__ import annotations

import datetime

import jwt
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from emulator_support import TENANT_ID, graph_get

CERT_APP_ID = "c3c3c3c3-1111-4222-8333-444455556666"
GRAPH_DEFAULT = ["https://graph.microsoft.com/.default"]


def new_certificate() -> tuple[str, str, str]:
    """A self-signed certificate: (private key PEM, certificate PEM, SHA-1 thumbprint hex)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "emulator test client")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    cert_pem = certificate.public_bytes(serialization.Encoding.PEM).decode()
    return key_pem, cert_pem, certificate.fingerprint(hashes.SHA1()).hex()


@pytest.fixture
def certificate_app(emulator):
    """An app registered with only a certificate credential and User.Read.All."""
    key_pem, cert_pem, thumbprint = new_certificate()
    emulator.control(
        "POST",
        "apps",
        json={
            "client_id": CERT_APP_ID,
            "display_name": "Daemon with certificate",
            "certificates": [cert_pem],
            "application_permissions": ["User.Read.All"],
        },
    )
    return key_pem, cert_pem, thumbprint


def test_certificate_with_sha1_thumbprint(emulator, make_msal_app, certificate_app):
    key_pem, _, thumbprint = certificate_app
    app = make_msal_app(
        client_id=CERT_APP_ID, client_credential={"private_key": key_pem, "thumbprint": thumbprint}
    )
    result = app.acquire_token_for_client(GRAPH_DEFAULT)
    assert "access_token" in result, result
    claims = jwt.decode(result["access_token"], options={"verify_signature": False})
    assert claims["appid"] == CERT_APP_ID and claims["appidacr"] == "2"
    assert claims["roles"] == ["User.Read.All"] and claims["tid"] == TENANT_ID
    assert graph_get(emulator, "/users", result["access_token"]).status_code == 200


def test_certificate_with_public_certificate_uses_sha256(make_msal_app, certificate_app):
    key_pem, cert_pem, _ = certificate_app
    app = make_msal_app(
        client_id=CERT_APP_ID,
        client_credential={"private_key": key_pem, "public_certificate": cert_pem},
    )
    result = app.acquire_token_for_client(GRAPH_DEFAULT)
    assert "access_token" in result, result


def test_unregistered_certificate_is_rejected(make_msal_app, certificate_app):
    other_key, _, other_thumbprint = new_certificate()
    credential = {"private_key": other_key, "thumbprint": other_thumbprint}
    app = make_msal_app(client_id=CERT_APP_ID, client_credential=credential)
    result = app.acquire_token_for_client(GRAPH_DEFAULT)
    assert result["error"] == "invalid_client" and 700027 in result["error_codes"]
