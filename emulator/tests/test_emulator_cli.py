"""The command line: certs (idempotent, SANs), --help, healthcheck, clean shutdown."""

from __future__ import annotations

import ipaddress
import signal
import subprocess
import sys

from cryptography import x509
from emulator_support import start_emulator

DEFAULT_DNS = {"localhost", "emulator", "login.microsoftonline.com", "graph.microsoft.com"}


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    """Run `python -m ms_emulator ARGS` (the package is installed where this Python runs)."""
    return subprocess.run(
        [sys.executable, "-m", "ms_emulator", *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def server_names(path) -> tuple[set[str], set[str]]:
    """DNS names and IPs in a certificate's subjectAltName."""
    cert = x509.load_pem_x509_certificate(path.read_bytes())
    san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    ips = {str(ip) for ip in san.get_values_for_type(x509.IPAddress)}
    return set(san.get_values_for_type(x509.DNSName)), ips


def test_help():
    result = run_cli("--help")
    assert result.returncode == 0 and "serve" in result.stdout and "certs" in result.stdout


def test_certs_are_created_once_and_reused(tmp_path):
    assert run_cli("certs", "--state-dir", str(tmp_path)).returncode == 0
    names = ("ca.crt", "ca.key", "server.crt", "server.key", "signing-keys.json")
    first = {name: (tmp_path / name).read_bytes() for name in names}
    assert run_cli("certs", "--state-dir", str(tmp_path)).returncode == 0
    assert first == {name: (tmp_path / name).read_bytes() for name in names}
    dns, ips = server_names(tmp_path / "server.crt")
    assert DEFAULT_DNS <= dns
    assert {"127.0.0.1", str(ipaddress.ip_address("::1"))} <= ips
    assert oct((tmp_path / "ca.key").stat().st_mode & 0o777) == "0o600"


def test_extra_name_reissues_server_cert_but_keeps_the_ca(tmp_path):
    run_cli("certs", "--state-dir", str(tmp_path))
    ca_before = (tmp_path / "ca.crt").read_bytes()
    result = run_cli("certs", "--state-dir", str(tmp_path), "--name", "auth.internal")
    assert result.returncode == 0
    assert (tmp_path / "ca.crt").read_bytes() == ca_before
    dns, _ = server_names(tmp_path / "server.crt")
    assert "auth.internal" in dns and DEFAULT_DNS <= dns
    ca = x509.load_pem_x509_certificate(ca_before)
    server = x509.load_pem_x509_certificate((tmp_path / "server.crt").read_bytes())
    server.verify_directly_issued_by(ca)


def test_healthcheck_and_clean_sigterm(tmp_path):
    running = start_emulator(tmp_path / "state")
    try:
        result = run_cli(
            "healthcheck", "--state-dir", str(running.state_dir), "--url", f"{running.url}/healthz"
        )
        assert result.returncode == 0, result.stderr
    finally:
        running.http.close()
        running.process.send_signal(signal.SIGTERM)
        assert running.process.wait(timeout=15) == 0
    assert (
        run_cli(
            "healthcheck", "--state-dir", str(running.state_dir), "--url", f"{running.url}/healthz"
        ).returncode
        == 1
    )
