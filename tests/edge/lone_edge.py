"""nginx alone, rendered from the same templates as the stack, in front of stand-in upstreams:
for what only nginx decides (headers, hosts, limits, logs), without starting the services."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import requests

from native_stack.edge import SITE_DEFAULTS
from native_stack.ports import free_port
from native_stack.processes import ManagedProcess
from native_stack.repository import REPO_ROOT
from native_stack.stack import find_tool
from native_stack.templates import render_template_dir


class LoneEdge:
    """nginx on its own loopback port; upstreams and other template values are given.

    values must name AUTH_SERVICE_SERVERS and GRAPH_SERVICE_SERVERS (`server host:port;`
    lines); with APP_UPSTREAM the protected app's part is rendered too.
    """

    def __init__(self, run_dir: Path, values: dict[str, str]) -> None:
        self.run_dir = run_dir
        self.port = free_port()
        self.values = {
            **SITE_DEFAULTS,
            "NGINX_LISTEN": f"127.0.0.1:{self.port}",
            "NGINX_RESOLVER": "",
            **values,
        }
        self.process: ManagedProcess | None = None

    @property
    def url(self) -> str:
        """http://127.0.0.1:<port>."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def log_path(self) -> Path:
        """nginx's output: its access log (stdout) and its error log (stderr)."""
        return self.run_dir / "logs" / "nginx.log"

    def start(self) -> None:
        """Render the configuration and start nginx; return once /healthz answers."""
        nginx_dir = self.run_dir / "nginx"
        nginx_dir.mkdir(parents=True, exist_ok=True)
        shutil.copy(REPO_ROOT / "nginx" / "nginx.conf", nginx_dir / "nginx.conf")
        leave_out = {"locations", "tls", "spa"} | (
            set() if "APP_UPSTREAM" in self.values else {"app"}
        )
        render_template_dir(
            REPO_ROOT / "nginx" / "templates",
            nginx_dir / "conf.d",
            self.values,
            leave_out=leave_out,
        )
        # As native_stack does: started by root, workers run as root, not as nobody, who may
        # not enter the test's 0700 folder (where nginx keeps its session-check cache).
        workers_user = " user root;" if os.geteuid() == 0 else ""
        argv = [
            find_tool("nginx") or "nginx",
            "-p", str(nginx_dir), "-c", str(nginx_dir / "nginx.conf"),
            "-e", "stderr", "-g", "daemon off;" + workers_user,
        ]  # fmt: skip
        self.process = ManagedProcess("nginx", argv, dict(os.environ), self.log_path)
        self.process.start()
        self.process.wait_ready(self._healthy)

    def _healthy(self) -> bool:
        with requests.Session() as session:
            session.trust_env = False
            return session.get(self.url + "/healthz", timeout=2).status_code == 200

    def stop(self) -> None:
        """Stop nginx."""
        if self.process is not None:
            self.process.stop()


def servers(port: int) -> str:
    """The `server` line of an upstream at 127.0.0.1:port (never set aside, as on loopback)."""
    return f"server 127.0.0.1:{port} max_fails=0;"
