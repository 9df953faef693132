"""The emulator is a package of its own: `pip install ./emulator` in a fresh virtualenv gives a
working `ms-emulator` command, with nothing else of the stack installed."""

from __future__ import annotations

import shutil
import subprocess
import time
import venv
from pathlib import Path

import pytest
import requests
from emulator_support import free_port

EMULATOR_DIR = Path(__file__).resolve().parents[1]


@pytest.mark.timeout(600)
def test_pip_install_gives_a_working_emulator_command(tmp_path: Path) -> None:
    environment = tmp_path / "venv"
    venv.create(environment, with_pip=True)
    python = environment / "bin" / "python"
    # A copy, as a user's checkout would be: pip builds in the source folder.
    source = shutil.copytree(
        EMULATOR_DIR, tmp_path / "emulator", ignore=shutil.ignore_patterns("tests", "build")
    )
    installed = subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", str(source)],
        capture_output=True,
        text=True,
        timeout=540,
    )
    assert installed.returncode == 0, installed.stdout + installed.stderr
    listed = subprocess.run(
        [str(python), "-m", "pip", "list", "--format=freeze"], capture_output=True, text=True
    ).stdout.lower()
    assert "ms-emulator==" in listed
    assert "msal" not in listed and "redis" not in listed  # none of the stack's own packages

    port, state = free_port(), tmp_path / "state"
    server = subprocess.Popen(
        [str(environment / "bin" / "ms-emulator"), "serve", "--bind", f"127.0.0.1:{port}",
         "--state-dir", str(state)],
        cwd=tmp_path,  # not the repository: only the installed package can answer
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        health = wait_for_health(f"https://127.0.0.1:{port}/healthz", state / "ca.crt")
        assert health["status"] == "ok"
        with requests.Session() as http:
            http.trust_env = False
            discovery = http.get(
                f"https://127.0.0.1:{port}/common/v2.0/.well-known/openid-configuration",
                verify=str(state / "ca.crt"),
                timeout=10,
            )
        assert discovery.status_code == 200 and "token_endpoint" in discovery.json()
    finally:
        server.terminate()
        assert server.wait(timeout=20) == 0


def wait_for_health(url: str, ca_file: Path, timeout_seconds: float = 60) -> dict[str, object]:
    """GET url trusting the emulator's CA until it answers 200; return its JSON."""
    deadline = time.monotonic() + timeout_seconds
    with requests.Session() as http:
        http.trust_env = False
        while True:
            try:
                answer = http.get(url, verify=str(ca_file), timeout=2)
                if answer.status_code == 200:
                    result: dict[str, object] = answer.json()
                    return result
            except (requests.RequestException, OSError):
                pass
            assert time.monotonic() < deadline, f"{url} did not answer in {timeout_seconds} s"
            time.sleep(0.3)
