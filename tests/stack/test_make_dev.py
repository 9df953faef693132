"""`make dev`'s runner: prints the URL and seeded users, serves, and stops on Ctrl-C."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import redis
import requests

from native_stack.ports import free_port, port_is_free
from native_stack.stack import REPO_ROOT


def start_runner(
    tmp_path: Path, *arguments: str, extra_env: dict[str, str] | None = None
) -> tuple[subprocess.Popen[str], str]:
    """Start `python -m native_stack` with arguments; return it and what it printed once ready."""
    env = dict(os.environ, **(extra_env or {}))
    runner = subprocess.Popen(
        [sys.executable, "-m", "native_stack", "--run-dir", str(tmp_path), *arguments],
        cwd=REPO_ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    output = ""
    deadline = time.monotonic() + 90
    assert runner.stdout is not None
    while "Stop: Ctrl-C" not in output and time.monotonic() < deadline:
        line = runner.stdout.readline()
        if not line:
            break
        output += line
    return runner, output


def stop_runner(runner: subprocess.Popen[str]) -> int:
    """Ctrl-C, as a user would; return the exit status (killing it if Ctrl-C did not work)."""
    try:
        runner.send_signal(signal.SIGINT)
        return runner.wait(timeout=30)
    finally:
        if runner.poll() is None:
            runner.kill()
            runner.wait()
        if runner.stdout is not None:
            runner.stdout.close()


def test_dev_runner_starts_prints_and_stops_on_ctrl_c(tmp_path: Path) -> None:
    port = free_port()
    runner, output = start_runner(tmp_path, "--port", str(port))
    try:
        assert f"Open http://localhost:{port}" in output, output
        assert "avery.chen@contoso.example" in output
        with requests.Session() as http:
            http.trust_env = False
            assert http.get(f"http://127.0.0.1:{port}/healthz", timeout=5).status_code == 200
            assert http.get(f"http://127.0.0.1:{port}/", timeout=5).status_code == 200
    finally:
        assert stop_runner(runner) == 0
    assert port_is_free(port)


def test_dev_runner_with_tls_serves_https_and_redirects_plain_http(tmp_path: Path) -> None:
    port, tls_port = free_port(), free_port()
    runner, output = start_runner(
        tmp_path, "--port", str(port), "--tls", "--tls-port", str(tls_port)
    )
    try:
        assert f"Open https://localhost:{tls_port}" in output, output
        ca_file = tmp_path / "nginx-tls" / "ca.crt"
        assert str(ca_file) in output
        with requests.Session() as http:
            http.trust_env = False
            http.verify = str(ca_file)
            home = http.get(f"https://localhost:{tls_port}/", timeout=5)
            assert home.status_code == 200
            assert home.headers["Strict-Transport-Security"] == "max-age=31536000"
            plain = http.get(f"http://localhost:{port}/login", allow_redirects=False, timeout=5)
            assert plain.status_code == 308
            assert plain.headers["Location"] == f"https://localhost:{tls_port}/login"
            # The sign-in starts on https: its redirect URI is the https callback.
            login = http.get(
                f"https://localhost:{tls_port}/login", allow_redirects=False, timeout=5
            )
            assert login.status_code == 302
            assert f"https%3A%2F%2Flocalhost%3A{tls_port}%2FgetAToken" in login.headers["Location"]
    finally:
        assert stop_runner(runner) == 0
    assert port_is_free(port) and port_is_free(tls_port)


# An app registration in a tenant (nothing is asked of it before someone signs in).
REAL_TENANT = {
    "CLIENT_ID": "0b0c2a7e-5d1f-4c3e-9a8b-6f7e5d4c3b2a",
    "CLIENT_SECRET": "a-secret-of-a-real-registration",
    "AUTHORITY": "https://login.microsoftonline.com/contoso.example",
}


@pytest.mark.parametrize("tls", [False, True], ids=["http", "https"])
def test_dev_runner_with_a_real_tenant_names_the_redirect_uri_to_register(
    tmp_path: Path, tls: bool
) -> None:
    port, tls_port = free_port(), free_port()
    arguments = ["--port", str(port)] + (["--tls", "--tls-port", str(tls_port)] if tls else [])
    runner, output = start_runner(tmp_path, *arguments, extra_env=REAL_TENANT)
    try:
        assert f"Signing in against your tenant: {REAL_TENANT['AUTHORITY']}" in output, output
        callback = f"https://localhost:{tls_port}" if tls else f"http://localhost:{port}"
        assert f"needs the redirect URI {callback}/getAToken\n" in output
        assert "Seeded users" not in output
        assert not (tmp_path / "emulator").exists()  # no emulator was started
    finally:
        assert stop_runner(runner) == 0


@pytest.mark.parametrize("busy_option", ["--port", "--tls-port"])
def test_dev_runner_refuses_a_busy_port(tmp_path: Path, busy_option: str) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        busy_port = busy.getsockname()[1]
        ports = {"--port": free_port(), "--tls-port": free_port(), busy_option: busy_port}
        arguments = [str(item) for option, port in ports.items() for item in (option, port)]
        result = subprocess.run(
            [sys.executable, "-m", "native_stack", *arguments, "--tls", "--run-dir", str(tmp_path)],
            cwd=REPO_ROOT,
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert result.returncode == 1
    assert f"Port {busy_port} is in use" in result.stderr
    # It names the knob that picks another port, as the README's "Port 5000 is taken" does.
    assert f"Pick another with {busy_option}: make dev ARGS=" in result.stderr, result.stderr


def admin_password_of(acl_file: Path) -> str:
    """The password of the tests' admin user in the ACL file start-redis.sh wrote."""
    for line in acl_file.read_text().splitlines():
        if line.startswith("user admin on >"):
            return line.split()[3].removeprefix(">")
    raise AssertionError(f"no admin user in {acl_file}")


def redis_port_of(log_file: Path) -> int:
    """The port redis-server says it runs on (`Running mode=standalone, port=N.`)."""
    found = re.search(r"Running mode=standalone, port=(\d+)\.", log_file.read_text())
    assert found, log_file.read_text()[-2000:]
    return int(found.group(1))


def test_dev_runner_keeps_the_documented_redis_persistence_and_sign_in_limits(
    tmp_path: Path,
) -> None:
    runner, output = start_runner(tmp_path, "--port", str(free_port()))
    try:
        assert "Stop: Ctrl-C" in output, output
        site = (tmp_path / "nginx" / "conf.d" / "default.conf").read_text()
        # README: 5 requests a second per client address, a burst of 20 (nginx/Dockerfile's).
        assert "zone=sign_in:10m rate=5r/s;" in site
        assert site.count("limit_req zone=sign_in burst=20 nodelay;") == 2
        # Append-only, its files in the run folder, as compose keeps them on a volume.
        client = redis.Redis(
            port=redis_port_of(tmp_path / "logs" / "redis.log"),
            username="admin",
            password=admin_password_of(tmp_path / "redis" / "users.acl"),
        )
        try:
            assert client.config_get("appendonly") == {"appendonly": "yes"}
            assert client.config_get("dir") == {"dir": str(tmp_path / "redis")}
        finally:
            client.close()
        assert list((tmp_path / "redis" / "appendonlydir").glob("*.aof"))
    finally:
        assert stop_runner(runner) == 0
