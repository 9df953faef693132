"""MSAL's client_credential built from a certificate file or a federated token file."""

from __future__ import annotations

from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization

from signin_core.errors import ConfigurationError, CredentialUnavailableError
from signin_core.identity.client_credentials import (
    FederatedTokenFile,
    client_credential_for,
    read_certificate_credential,
)
from signin_core.settings import IdentitySettings
from tests.credentials.certificates import KeyAndCertificate, write_pem

BASE = {
    "client_id": "11111111-2222-3333-4444-555555555555",
    "authority": "https://login.microsoftonline.com/contoso.onmicrosoft.com",
    "data_encryption_keys": "d" * 43,
    "identity_assertion_key": "i" * 43,
}


@pytest.fixture(autouse=True)
def no_settings_from_environment(clean_environment: pytest.MonkeyPatch) -> None:
    """Settings here come from keyword values only."""


def settings_with(**values: object) -> IdentitySettings:
    """Settings from BASE and values."""
    return IdentitySettings(**{**BASE, **values})  # type: ignore[arg-type]


def test_certificate_credential_names_the_sha1_thumbprint(
    tmp_path: Path, client_certificate: KeyAndCertificate
) -> None:
    pem = write_pem(tmp_path / "c.pem", client_certificate.key, client_certificate.certificate)
    credential = client_credential_for(settings_with(client_certificate_path=str(pem)))
    assert isinstance(credential, dict)
    assert credential["thumbprint"] == client_certificate.sha1_thumbprint
    assert "public_certificate" not in credential
    key = serialization.load_pem_private_key(credential["private_key"].encode(), None)
    assert key.public_key().public_numbers() == client_certificate.key.public_key().public_numbers()


def test_encrypted_key_is_decrypted_once_into_memory(
    tmp_path: Path, client_certificate: KeyAndCertificate
) -> None:
    pem = write_pem(
        tmp_path / "c.pem", client_certificate.key, client_certificate.certificate, password="pw"
    )
    credential = client_credential_for(
        settings_with(client_certificate_path=str(pem), client_certificate_password="pw")
    )
    assert isinstance(credential, dict) and "passphrase" not in credential
    assert "ENCRYPTED" not in credential["private_key"]
    serialization.load_pem_private_key(credential["private_key"].encode(), None)


def test_send_chain_gives_msal_the_chain_leaf_first_and_no_sha1_thumbprint(
    tmp_path: Path, issuer: KeyAndCertificate, client_certificate: KeyAndCertificate
) -> None:
    leaf = client_certificate
    pem = write_pem(tmp_path / "c.pem", leaf.key, issuer.certificate, leaf.certificate)
    credential = client_credential_for(
        settings_with(client_certificate_path=str(pem), client_certificate_send_chain=True)
    )
    assert isinstance(credential, dict) and "thumbprint" not in credential
    chain = x509.load_pem_x509_certificates(credential["public_certificate"].encode())
    assert chain == [client_certificate.certificate, issuer.certificate]


def test_certificate_credential_reports_its_expiry(
    tmp_path: Path, client_certificate: KeyAndCertificate
) -> None:
    pem = write_pem(tmp_path / "c.pem", client_certificate.key, client_certificate.certificate)
    credential = read_certificate_credential(str(pem), None)
    assert credential.not_valid_after == client_certificate.certificate.not_valid_after_utc


def test_secret_is_passed_as_a_string() -> None:
    assert client_credential_for(settings_with(client_secret="s3cret-value")) == "s3cret-value"


def test_federated_token_file_is_read_afresh_for_every_assertion(tmp_path: Path) -> None:
    token_file = tmp_path / "azure-identity-token"
    token_file.write_text("first.token.value\n")
    credential = client_credential_for(settings_with(azure_federated_token_file=str(token_file)))
    assert isinstance(credential, dict)
    read_assertion = credential["client_assertion"]
    assert read_assertion() == "first.token.value"
    token_file.write_text("rotated.token.value")
    assert read_assertion() == "rotated.token.value"


def test_federated_token_file_that_vanished_or_is_empty_makes_the_credential_unavailable(
    tmp_path: Path,
) -> None:
    token_file = tmp_path / "azure-identity-token"
    read_assertion = FederatedTokenFile(str(token_file))
    with pytest.raises(CredentialUnavailableError, match="AZURE_FEDERATED_TOKEN_FILE: cannot read"):
        read_assertion()
    token_file.write_text("\n")
    with pytest.raises(CredentialUnavailableError, match="is empty"):
        read_assertion()


def test_certificate_removed_after_start_is_a_configuration_error(
    tmp_path: Path, client_certificate: KeyAndCertificate
) -> None:
    pem = write_pem(tmp_path / "c.pem", client_certificate.key, client_certificate.certificate)
    settings = settings_with(client_certificate_path=str(pem))
    pem.unlink()
    with pytest.raises(ConfigurationError, match="CLIENT_CERTIFICATE_PATH: cannot read"):
        client_credential_for(settings)
