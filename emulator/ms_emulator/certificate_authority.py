"""The emulator's own certificate authority (created once, never replaced)."""

from __future__ import annotations

import datetime

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from ms_emulator.pem_files import (
    load_certificate,
    load_private_key,
    new_rsa_key,
    private_key_pem,
    write_file,
)
from ms_emulator.tls_files import TlsFiles


def utc_now() -> datetime.datetime:
    """The current UTC time."""
    return datetime.datetime.now(datetime.UTC)


def issue_ca(files: TlsFiles) -> tuple[x509.Certificate, rsa.RSAPrivateKey]:
    """Create a new self-signed CA and store it."""
    key = new_rsa_key()
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "ms-emulator local CA")])
    public = key.public_key()
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(public)
        .serial_number(x509.random_serial_number())
        .not_valid_before(utc_now() - datetime.timedelta(minutes=5))
        .not_valid_after(utc_now() + datetime.timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(False, False, False, False, False, True, True, False, False),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), critical=False)
        .sign(key, hashes.SHA256())
    )
    write_file(files.ca_key, private_key_pem(key), 0o600)
    write_file(files.ca_cert, cert.public_bytes(serialization.Encoding.PEM), 0o644)
    return cert, key


def load_or_issue_ca(files: TlsFiles) -> tuple[x509.Certificate, rsa.RSAPrivateKey]:
    """Reuse the stored CA, or create it when missing."""
    if files.ca_cert.exists() and files.ca_key.exists():
        return load_certificate(files.ca_cert), load_private_key(files.ca_key)
    return issue_ca(files)
