"""Running the baseline under gunicorn (default sync workers) against a native stack's emulator."""

from __future__ import annotations

import os
import secrets
import sys
from pathlib import Path

import requests

from native_stack.ports import free_port
from native_stack.processes import ManagedProcess
from native_stack.stack import NativeStack

APP = "benchmarks.quickstart_baseline.app:create_app()"


class BaselineServer:
    """The baseline app on its own loopback port, signing in at the stack's emulator."""

    def __init__(self, stack: NativeStack, run_dir: Path, *, workers: int) -> None:
        assert stack.registration is not None, "the baseline needs the stack's emulator"
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = dict(os.environ)
        env.update(
            CLIENT_ID=stack.registration.client_id,
            CLIENT_SECRET=stack.registration.client_secret,
            AUTHORITY=f"{stack.emulator_url}/{stack.registration.tenant_id}",
            GRAPH_BASE_URL=f"{stack.emulator_url}/v1.0",
            TRUSTED_CA_BUNDLE=str(stack.ca_file),
            SESSION_DIR=str(run_dir / "sessions"),
            SECRET_KEY=secrets.token_urlsafe(32),
        )
        argv = [
            sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{self.port}",
            "--workers", str(workers), "--log-level", "warning", APP,
        ]  # fmt: skip
        self.process = ManagedProcess("quickstart-baseline", argv, env, run_dir / "baseline.log")

    def start(self) -> None:
        """Start gunicorn and wait until the home page answers."""
        self.process.start()
        self.process.wait_ready(self._answers)

    def stop(self) -> None:
        """Stop gunicorn and its workers."""
        self.process.stop()

    def _answers(self) -> bool:
        with requests.Session() as http:
            http.trust_env = False
            return http.get(self.url + "/", timeout=2).status_code == 200

    def __enter__(self) -> BaselineServer:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()
