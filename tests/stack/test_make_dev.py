"""`make dev`'s runner: prints the URL and seeded users, serves, and stops on Ctrl-C."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import requests

from native_stack.ports import free_port, port_is_free
from native_stack.stack import REPO_ROOT


def test_dev_runner_starts_prints_and_stops_on_ctrl_c(tmp_path: Path) -> None:
    port = free_port()
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))
    runner = subprocess.Popen(
        [sys.executable, "-m", "native_stack", "--port", str(port), "--run-dir", str(tmp_path)],
        cwd=REPO_ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        output = ""
        deadline = time.monotonic() + 90
        assert runner.stdout is not None
        while "Stop: Ctrl-C" not in output and time.monotonic() < deadline:
            line = runner.stdout.readline()
            if not line:
                break
            output += line
        assert f"Open http://localhost:{port}" in output, output
        assert "avery.chen@contoso.example" in output
        with requests.Session() as http:
            http.trust_env = False
            assert http.get(f"http://127.0.0.1:{port}/healthz", timeout=5).status_code == 200
            assert http.get(f"http://127.0.0.1:{port}/", timeout=5).status_code == 200
        runner.send_signal(signal.SIGINT)
        assert runner.wait(timeout=30) == 0
        assert port_is_free(port)
    finally:
        if runner.poll() is None:
            runner.kill()
            runner.wait()
        if runner.stdout is not None:
            runner.stdout.close()


def test_dev_runner_refuses_a_busy_port(tmp_path: Path) -> None:
    import socket

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = subprocess.run(
            [sys.executable, "-m", "native_stack", "--port", str(port), "--run-dir", str(tmp_path)],
            cwd=REPO_ROOT,
            env=dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path)),
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert result.returncode == 1
    assert f"Port {port} is in use" in result.stderr
