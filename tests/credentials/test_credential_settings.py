"""Exactly one client credential: a secret, a certificate or a federated token file."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric import ec

from signin_core.errors import ConfigurationError
from signin_core.settings import IdentitySettings, load_settings
from tests.credentials.certificates import KeyAndCertificate, new_certificate, write_pem

WITHOUT_CREDENTIAL = {
    "CLIENT_ID": "11111111-2222-3333-4444-555555555555",
    "AUTHORITY": "https://login.microsoftonline.com/contoso.onmicrosoft.com",
    "DATA_ENCRYPTION_KEYS": "d" * 43,
    "IDENTITY_ASSERTION_KEY": "i" * 43,
}
CREDENTIAL_VARIABLES = ("CLIENT_SECRET", "CLIENT_CERTIFICATE_PATH", "AZURE_FEDERATED_TOKEN_FILE")
PASSWORD = "pem-password-for-tests"


@pytest.fixture
def environment(clean_environment: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    """The process environment with only the non-credential settings of a production service."""
    for name, value in WITHOUT_CREDENTIAL.items():
        clean_environment.setenv(name, value)
    return clean_environment


@pytest.fixture(scope="module")
def client_certificate() -> KeyAndCertificate:
    """One RSA key and certificate for the module (key generation is the slow part)."""
    return new_certificate()


def problem(environment: pytest.MonkeyPatch, **variables: str) -> str:
    """The ConfigurationError message load_settings gives with these variables set."""
    for name, value in variables.items():
        environment.setenv(name, value)
    with pytest.raises(ConfigurationError) as raised:
        load_settings(IdentitySettings, "auth-service")
    return str(raised.value)


def test_no_credential_names_all_three_variables(environment: pytest.MonkeyPatch) -> None:
    message = problem(environment)
    assert "auth-service cannot start" in message
    for variable in CREDENTIAL_VARIABLES:
        assert variable in message


def test_empty_values_count_as_unset(environment: pytest.MonkeyPatch) -> None:
    message = problem(environment, CLIENT_SECRET="", AZURE_FEDERATED_TOKEN_FILE=" ")
    assert "CLIENT_SECRET: is not set, nor CLIENT_CERTIFICATE_PATH" in message


def test_no_credential_is_reported_with_the_other_missing_variables(
    environment: pytest.MonkeyPatch,
) -> None:
    environment.delenv("AUTHORITY")
    message = problem(environment)
    assert "AUTHORITY: is not set" in message and "CLIENT_SECRET: is not set" in message


@pytest.mark.parametrize(
    "configured",
    [
        ("CLIENT_SECRET", "CLIENT_CERTIFICATE_PATH"),
        ("CLIENT_SECRET", "AZURE_FEDERATED_TOKEN_FILE"),
        ("CLIENT_CERTIFICATE_PATH", "AZURE_FEDERATED_TOKEN_FILE"),
        CREDENTIAL_VARIABLES,
    ],
    ids=lambda names: "+".join(names),
)
def test_two_credentials_are_refused(
    environment: pytest.MonkeyPatch,
    tmp_path: Path,
    client_certificate: KeyAndCertificate,
    configured: tuple[str, ...],
) -> None:
    values = {
        "CLIENT_SECRET": "a-real-looking-secret-value",
        "CLIENT_CERTIFICATE_PATH": str(_plain(tmp_path / "client.pem", client_certificate)),
        "AZURE_FEDERATED_TOKEN_FILE": str(tmp_path / "token"),
    }
    (tmp_path / "token").write_text("header.payload.signature")
    message = problem(environment, **{name: values[name] for name in configured})
    assert " and ".join(configured) + " are set: set only one of" in message


def test_each_credential_alone_loads(
    environment: pytest.MonkeyPatch, tmp_path: Path, client_certificate: KeyAndCertificate
) -> None:
    pem = _plain(tmp_path / "client.pem", client_certificate)
    token = tmp_path / "token"
    token.write_text("header.payload.signature")
    alone = {
        "CLIENT_SECRET": "a-real-looking-secret-value",
        "CLIENT_CERTIFICATE_PATH": str(pem),
        "AZURE_FEDERATED_TOKEN_FILE": str(token),
    }
    for variable, value in alone.items():
        environment.setenv(variable, value)
        settings = load_settings(IdentitySettings, "svc")
        environment.delenv(variable)
        configured = [name for name in alone if getattr(settings, name.lower()) is not None]
        assert configured == [variable]


def test_placeholder_secret_still_refused_in_production(environment: pytest.MonkeyPatch) -> None:
    message = problem(environment, CLIENT_SECRET="dev-only-emulator-client-secret")
    assert "placeholder" in message and "CLIENT_SECRET" in message


def test_certificate_needs_no_secret_in_production(
    environment: pytest.MonkeyPatch, tmp_path: Path, client_certificate: KeyAndCertificate
) -> None:
    pem = _plain(tmp_path / "client.pem", client_certificate)
    environment.setenv("CLIENT_CERTIFICATE_PATH", str(pem))
    settings = load_settings(IdentitySettings, "svc")
    assert settings.app_env == "production" and settings.client_secret is None


CertificateFile = Callable[[Path, KeyAndCertificate], Path]


def _encrypted(path: Path, pair: KeyAndCertificate) -> Path:
    return write_pem(path, pair.key, pair.certificate, password=PASSWORD)


def _plain(path: Path, pair: KeyAndCertificate) -> Path:
    return write_pem(path, pair.key, pair.certificate)


def _key_only(path: Path, pair: KeyAndCertificate) -> Path:
    return write_pem(path, pair.key)


def _certificate_of_another_key(path: Path, pair: KeyAndCertificate) -> Path:
    return write_pem(path, pair.key, new_certificate("someone else").certificate)


def _expired(path: Path, pair: KeyAndCertificate) -> Path:
    return write_pem(path, pair.key, new_certificate(key=pair.key, days=-1).certificate)


def _elliptic_curve(path: Path, pair: KeyAndCertificate) -> Path:
    other = new_certificate(key=ec.generate_private_key(ec.SECP256R1()))
    return write_pem(path, other.key, other.certificate)


def _not_pem(path: Path, pair: KeyAndCertificate) -> Path:
    path.write_text("not a certificate")
    return path


@pytest.mark.parametrize(
    ("write", "password", "expected"),
    [
        (_encrypted, None, "is encrypted: set CLIENT_CERTIFICATE_PASSWORD"),
        (_encrypted, "wrong-password", "or CLIENT_CERTIFICATE_PASSWORD is wrong"),
        (_plain, PASSWORD, "is not encrypted: unset CLIENT_CERTIFICATE_PASSWORD"),
        (_key_only, None, "holds no PEM certificate for its private key"),
        (_certificate_of_another_key, None, "holds no PEM certificate for its private key"),
        (_expired, None, "expired on"),
        (_elliptic_curve, None, "is not RSA"),
        (_not_pem, None, "holds no readable PEM private key"),
    ],
    ids=lambda value: getattr(value, "__name__", "") or None,
)
def test_unusable_certificate_file_is_explained(
    environment: pytest.MonkeyPatch,
    tmp_path: Path,
    client_certificate: KeyAndCertificate,
    write: CertificateFile,
    password: str | None,
    expected: str,
) -> None:
    path = write(tmp_path / "client.pem", client_certificate)
    variables = {"CLIENT_CERTIFICATE_PATH": str(path)}
    if password:
        variables["CLIENT_CERTIFICATE_PASSWORD"] = password
    message = problem(environment, **variables)
    assert "CLIENT_CERTIFICATE_PATH: " in message and expected in message
    assert "CLIENT_SECRET" not in message  # the credential is chosen; only it is wrong


def test_missing_certificate_file_is_named(environment: pytest.MonkeyPatch, tmp_path: Path) -> None:
    message = problem(environment, CLIENT_CERTIFICATE_PATH=str(tmp_path / "absent.pem"))
    assert f"CLIENT_CERTIFICATE_PATH: Value error, cannot read {tmp_path / 'absent.pem'}" in message


def test_password_without_certificate_is_refused(environment: pytest.MonkeyPatch) -> None:
    message = problem(
        environment, CLIENT_SECRET="a-real-looking-secret", CLIENT_CERTIFICATE_PASSWORD="pw"
    )
    assert "CLIENT_CERTIFICATE_PATH: is not set, but CLIENT_CERTIFICATE_PASSWORD is" in message


def test_unreadable_federated_token_file_is_named(
    environment: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    message = problem(environment, AZURE_FEDERATED_TOKEN_FILE=str(tmp_path / "absent-token"))
    assert "AZURE_FEDERATED_TOKEN_FILE: Value error, cannot read" in message


def test_certificate_password_from_a_file(
    environment: pytest.MonkeyPatch, tmp_path: Path, client_certificate: KeyAndCertificate
) -> None:
    pem = _encrypted(tmp_path / "client.pem", client_certificate)
    (tmp_path / "password").write_text(PASSWORD + "\n")
    environment.setenv("CLIENT_CERTIFICATE_PATH", str(pem))
    environment.setenv("CLIENT_CERTIFICATE_PASSWORD_FILE", str(tmp_path / "password"))
    settings = load_settings(IdentitySettings, "svc")
    assert settings.client_certificate_password is not None
    assert settings.client_certificate_password.get_secret_value() == PASSWORD


def test_missing_certificate_password_file_is_named(
    environment: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    message = problem(environment, CLIENT_CERTIFICATE_PASSWORD_FILE=str(tmp_path / "absent"))
    assert message.startswith("CLIENT_CERTIFICATE_PASSWORD_FILE: cannot read")


def test_certificate_path_from_a_file(
    environment: pytest.MonkeyPatch, tmp_path: Path, client_certificate: KeyAndCertificate
) -> None:
    pem = _plain(tmp_path / "client.pem", client_certificate)
    (tmp_path / "path").write_text(f"{pem}\n")
    environment.setenv("CLIENT_CERTIFICATE_PATH_FILE", str(tmp_path / "path"))
    assert load_settings(IdentitySettings, "svc").client_certificate_path == str(pem)
