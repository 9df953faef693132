"""The emulator's own certificate authority and its TLS server certificate."""

from __future__ import annotations

import datetime
import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from ms_emulator.pem_files import (
    load_certificate,
    load_private_key,
    new_rsa_key,
    private_key_pem,
    write_file,
)

DEFAULT_SERVER_NAMES = (
    "localhost",
    "127.0.0.1",
    "::1",
    "emulator",
    "login.microsoftonline.com",
    "graph.microsoft.com",
)
RENEW_BEFORE = datetime.timedelta(days=30)


@dataclass(frozen=True)
class TlsFiles:
    """Paths of the CA and server certificate files in a state directory."""

    ca_cert: Path
    ca_key: Path
    server_cert: Path
    server_key: Path

    @classmethod
    def in_dir(cls, state_dir: Path) -> TlsFiles:
        """Return the standard file locations under state_dir."""
        return cls(
            state_dir / "ca.crt", state_dir / "ca.key",
            state_dir / "server.crt", state_dir / "server.key",
        )


def _now() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC)


def _san_entry(name: str) -> x509.GeneralName:
    """Turn a host name or IP literal into a subjectAltName entry."""
    try:
        return x509.IPAddress(ipaddress.ip_address(name))
    except ValueError:
        return x509.DNSName(name)


def _issue_ca(files: TlsFiles) -> tuple[x509.Certificate, rsa.RSAPrivateKey]:
    """Create a new self-signed CA and store it."""
    key = new_rsa_key()
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "ms-emulator local CA")])
    public = key.public_key()
    cert = (
        x509.CertificateBuilder()
        .subject_name(name).issuer_name(name).public_key(public)
        .serial_number(x509.random_serial_number())
        .not_valid_before(_now() - datetime.timedelta(minutes=5))
        .not_valid_after(_now() + datetime.timedelta(days=3650))
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


def _server_cert_is_usable(
    files: TlsFiles, ca_cert: x509.Certificate, names: list[str]
) -> bool:
    """True when the stored server certificate is signed by ca_cert and covers names."""
    if not (files.server_cert.exists() and files.server_key.exists()):
        return False
    cert = load_certificate(files.server_cert)
    public = ca_cert.public_key()
    if cert.issuer != ca_cert.subject or not isinstance(public, rsa.RSAPublicKey):
        return False
    try:
        public.verify(
            cert.signature, cert.tbs_certificate_bytes,
            padding.PKCS1v15(), hashes.SHA256(),
        )
    except Exception:
        return False
    if cert.not_valid_after_utc - RENEW_BEFORE < _now():
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
        .subject_name(subject).issuer_name(ca_cert.subject).public_key(public)
        .serial_number(x509.random_serial_number())
        .not_valid_before(_now() - datetime.timedelta(minutes=5))
        .not_valid_after(_now() + datetime.timedelta(days=397))
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
    if files.ca_cert.exists() and files.ca_key.exists():
        ca_cert, ca_key = load_certificate(files.ca_cert), load_private_key(files.ca_key)
    else:
        ca_cert, ca_key = _issue_ca(files)
    if not _server_cert_is_usable(files, ca_cert, names):
        _issue_server_cert(files, ca_cert, ca_key, names)
    return files
