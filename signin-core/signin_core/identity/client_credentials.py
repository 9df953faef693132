"""The confidential client's credential for MSAL: a secret, a certificate or a federated token.

Exactly one is configured (IdentitySettings checks that): CLIENT_SECRET, CLIENT_CERTIFICATE_PATH
(a PEM file with the private key and its certificate) or AZURE_FEDERATED_TOKEN_FILE (a token
from a trusted issuer, such as a Kubernetes service-account token, re-read for every use).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from signin_core.errors import ConfigurationError, CredentialUnavailableError

if TYPE_CHECKING:
    from signin_core.settings import IdentitySettings

MsalClientCredential = str | dict[str, Any]


@dataclass(frozen=True)
class CertificateCredential:
    """A private key (decrypted, in memory only) and the certificates that go with it."""

    private_key_pem: str
    certificate_chain_pem: str  # the key's certificate first, then any issuers in the file
    thumbprint_sha1: str
    not_valid_after: datetime.datetime

    def for_msal(self, *, send_certificate_chain: bool) -> dict[str, str]:
        """MSAL's client_credential: thumbprint (RS256), or x5c + SHA-256 thumbprint (PS256)."""
        if send_certificate_chain:
            # With public_certificate and no thumbprint, MSAL signs PS256 with x5t#S256 and
            # sends the chain as x5c: what subject name + issuer authentication needs.
            return {
                "private_key": self.private_key_pem,
                "public_certificate": self.certificate_chain_pem,
            }
        return {"private_key": self.private_key_pem, "thumbprint": self.thumbprint_sha1}


def read_certificate_credential(path: str, password: str | None) -> CertificateCredential:
    """Read a PEM file holding an RSA private key and its certificate; ValueError says why not."""
    try:
        data = Path(path).read_bytes()
    except OSError as error:
        raise ValueError(f"cannot read {path}: {error.strerror or error}") from None
    try:
        key = serialization.load_pem_private_key(data, password.encode() if password else None)
    except TypeError:
        if password:
            raise ValueError(
                f"the private key in {path} is not encrypted: unset CLIENT_CERTIFICATE_PASSWORD"
            ) from None
        raise ValueError(
            f"the private key in {path} is encrypted: set CLIENT_CERTIFICATE_PASSWORD"
        ) from None
    except ValueError:
        raise ValueError(
            f"{path} holds no readable PEM private key, or CLIENT_CERTIFICATE_PASSWORD is wrong"
        ) from None
    if not isinstance(key, rsa.RSAPrivateKey):
        raise ValueError(f"the private key in {path} is not RSA (the identity platform needs RSA)")
    try:
        certificates = x509.load_pem_x509_certificates(data)
    except ValueError:
        certificates = []
    own = [certificate for certificate in certificates if _certifies(certificate, key)]
    if not own:
        raise ValueError(f"{path} holds no PEM certificate for its private key")
    leaf = own[0]
    if leaf.not_valid_after_utc <= datetime.datetime.now(datetime.UTC):
        expired = f"{leaf.not_valid_after_utc:%Y-%m-%d}"
        raise ValueError(f"the certificate in {path} expired on {expired}")
    chain = [leaf, *(certificate for certificate in certificates if certificate is not leaf)]
    return CertificateCredential(
        private_key_pem=key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ).decode("ascii"),
        certificate_chain_pem="".join(
            certificate.public_bytes(serialization.Encoding.PEM).decode("ascii")
            for certificate in chain
        ),
        thumbprint_sha1=leaf.fingerprint(hashes.SHA1()).hex().upper(),  # x5t, as Entra shows it
        not_valid_after=leaf.not_valid_after_utc,
    )


def _certifies(certificate: x509.Certificate, key: rsa.RSAPrivateKey) -> bool:
    public_key = certificate.public_key()
    return (
        isinstance(public_key, rsa.RSAPublicKey)
        and public_key.public_numbers() == key.public_key().public_numbers()
    )


@dataclass(frozen=True)
class FederatedTokenFile:
    """The client assertion MSAL asks for: the token file's current content, read each time.

    The kubelet (or another issuer's agent) rotates the file in place; reading it for every
    token request means a rotated token is used at once and an expired one never is.
    """

    path: str

    def __call__(self) -> str:
        """The token the file holds now."""
        try:
            token = Path(self.path).read_text(encoding="utf-8").strip()
        except OSError as error:
            raise CredentialUnavailableError(
                f"AZURE_FEDERATED_TOKEN_FILE: cannot read {self.path}: {error.strerror or error}"
            ) from None
        if not token:
            raise CredentialUnavailableError(f"AZURE_FEDERATED_TOKEN_FILE: {self.path} is empty")
        return token


def client_credential_for(settings: IdentitySettings) -> MsalClientCredential:
    """The client_credential argument of ConfidentialClientApplication for these settings."""
    if settings.client_certificate_path:
        password = settings.client_certificate_password
        try:
            certificate = read_certificate_credential(
                settings.client_certificate_path,
                password.get_secret_value() if password else None,
            )
        except ValueError as error:
            raise ConfigurationError(f"CLIENT_CERTIFICATE_PATH: {error}") from None
        return certificate.for_msal(send_certificate_chain=settings.client_certificate_send_chain)
    if settings.azure_federated_token_file:
        return {"client_assertion": FederatedTokenFile(settings.azure_federated_token_file)}
    if settings.client_secret is None:
        raise ConfigurationError(
            "no client credential: set CLIENT_SECRET, CLIENT_CERTIFICATE_PATH "
            "or AZURE_FEDERATED_TOKEN_FILE"
        )
    return settings.client_secret.get_secret_value()
