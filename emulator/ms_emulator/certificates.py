"""The TLS server certificate, signed by the emulator's CA and covering the needed names."""

from __future__ import annotations

import datetime
import ipaddress
from collections.abc import Iterable
from pathlib import Path

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from ms_emulator.certificate_authority import load_or_issue_ca, utc_now
from ms_emulator.clouds import SOVEREIGN_HOST_NAMES
from ms_emulator.pem_files import load_certificate, new_rsa_key, private_key_pem, write_file
from ms_emulator.tls_files import TlsFiles

DEFAULT_SERVER_NAMES = (
    "localhost",
    "127.0.0.1",
    "::1",
    "emulator",
    "login.microsoftonline.com",
    "graph.microsoft.com",
    *SOVEREIGN_HOST_NAMES,
    "*.b2clogin.com",  # B2C and External ID tenants, each on a host of its own name
    "*.ciamlogin.com",
)
RENEW_BEFORE = datetime.timedelta(days=30)


def _san_entry(name: str) -> x509.GeneralName:
    """Turn a host name or IP literal into a subjectAltName entry."""
    try:
        return x509.IPAddress(ipaddress.ip_address(name))
    except ValueError:
        return x509.DNSName(name)


def _server_cert_is_usable(files: TlsFiles, ca_cert: x509.Certificate, names: list[str]) -> bool:
    """True when the stored server certificate is signed by ca_cert and covers names."""
    if not (files.server_cert.exists() and files.server_key.exists()):
        return False
    cert = load_certificate(files.server_cert)
    try:
        cert.verify_directly_issued_by(ca_cert)
    except (ValueError, TypeError, InvalidSignature):
        return False
    if cert.not_valid_after_utc - RENEW_BEFORE < utc_now():
        return False
    present = set(cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value)
    return all(_san_entry(name) in present for name in names)


def _issue_server_cert(
    files: TlsFiles, ca_cert: x509.Certificate, ca_key: rsa.RSAPrivateKey, names: list[str]
) -> None:
    """Create a server key and certificate for names, signed by the CA."""
    key = new_rsa_key()
    public = key.public_key()
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, names[0])])
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(ca_cert.subject)
        .public_key(public)
        .serial_number(x509.random_serial_number())
        .not_valid_before(utc_now() - datetime.timedelta(minutes=5))
        .not_valid_after(utc_now() + datetime.timedelta(days=397))
        .add_extension(x509.SubjectAlternativeName([_san_entry(n) for n in names]), False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), False)
        .add_extension(
            x509.KeyUsage(True, False, True, False, False, False, False, False, False),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), False
        )
        .sign(ca_key, hashes.SHA256())
    )
    write_file(files.server_key, private_key_pem(key), 0o600)
    write_file(files.server_cert, cert.public_bytes(serialization.Encoding.PEM), 0o644)


def ensure_tls_files(state_dir: Path, extra_names: Iterable[str] = ()) -> TlsFiles:
    """Create (or reuse) the CA and a server certificate covering the default and extra names."""
    state_dir.mkdir(parents=True, exist_ok=True)
    files = TlsFiles.in_dir(state_dir)
    names = list(dict.fromkeys([*DEFAULT_SERVER_NAMES, *extra_names]))
    ca_cert, ca_key = load_or_issue_ca(files)
    if not _server_cert_is_usable(files, ca_cert, names):
        _issue_server_cert(files, ca_cert, ca_key, names)
    return files
