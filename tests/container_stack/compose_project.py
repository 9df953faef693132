"""One compose project of ours on a Docker engine, driven through the Compose v2 CLI as a user
drives it: the repository's compose files, `--pull never`, nothing but the given variables."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from native_stack.repository import REPO_ROOT

TOOLS_DIR = Path(sys.executable).parent
# What compose may read from this process's environment: how to reach the engine, nothing of
# a user's own stack settings (CLIENT_ID and the like would change what is tested).
PASSED_THROUGH = ("PATH", "HOME", "DOCKER_HOST", "DOCKER_CONFIG", "DOCKER_CONTEXT", "TMPDIR")


class ComposeError(AssertionError):
    """A compose or docker command failed; its output is in the message."""


def find_program(name: str) -> str | None:
    """A program beside this Python (the venv's docker-compose) or on PATH."""
    return shutil.which(name, path=str(TOOLS_DIR)) or shutil.which(name)


def engine_problem() -> str | None:
    """None if a Docker engine answers and both CLIs are here; otherwise what is missing."""
    docker, compose = find_program("docker"), find_program("docker-compose")
    if docker is None or compose is None:
        return "the docker and docker-compose programs are needed (make install gives compose)"
    try:
        answer = subprocess.run(
            [docker, "version", "--format", "{{.Server.Version}}"],
            capture_output=True,
            text=True,
            timeout=20,
        )
    except subprocess.TimeoutExpired:
        return f"the Docker engine at {os.environ.get('DOCKER_HOST', 'the default socket')} hangs"
    if answer.returncode != 0:
        where = os.environ.get("DOCKER_HOST", "the default socket")
        return f"no Docker engine answers at {where}: {answer.stderr.strip()[:200]}"
    return None


def docker(
    *args: str, check: bool = True, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    """Run the docker CLI; raise ComposeError with its output when check and it fails."""
    program = find_program("docker")
    assert program is not None
    result = subprocess.run(
        [program, *args], capture_output=True, text=True, timeout=timeout, env=_engine_env()
    )
    if check and result.returncode != 0:
        raise ComposeError(f"docker {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result


def inspect(container_id: str) -> dict[str, Any]:
    """docker inspect of one container."""
    answer: list[dict[str, Any]] = json.loads(docker("inspect", container_id).stdout)
    return answer[0]


def _engine_env() -> dict[str, str]:
    return {name: os.environ[name] for name in PASSED_THROUGH if name in os.environ}


@dataclass
class ComposeProject:
    """A named project made of some of the repository's compose files (and test-only ones)."""

    name: str
    files: list[Path]
    variables: dict[str, str] = field(default_factory=dict)

    def compose(
        self, *args: str, check: bool = True, timeout: float = 300
    ) -> subprocess.CompletedProcess[str]:
        """Run `docker-compose -p NAME -f ... ARGS` with only the project's variables."""
        program = find_program("docker-compose")
        assert program is not None
        argv = [program, "--project-directory", str(REPO_ROOT), "-p", self.name]
        for path in self.files:
            argv += ["-f", str(path)]
        env = {**_engine_env(), **self.variables}
        result = subprocess.run(
            [*argv, *args], capture_output=True, text=True, timeout=timeout, env=env
        )
        if check and result.returncode != 0:
            raise ComposeError(
                f"docker-compose {' '.join(args)} failed ({result.returncode}):\n"
                f"{result.stdout[-4000:]}\n{result.stderr[-4000:]}"
            )
        return result

    def up(self, *extra: str, timeout_seconds: int = 240) -> None:
        """Start detached and wait until every service with a health check is healthy."""
        self.compose(
            "up", "--detach", "--pull", "never", "--no-build", "--wait",
            "--wait-timeout", str(timeout_seconds), *extra,
            timeout=timeout_seconds + 60,
        )  # fmt: skip

    def down(self) -> None:
        """Remove the containers, networks and volumes (what a test run made)."""
        self.compose("down", "--volumes", "--remove-orphans", "--timeout", "5", check=False)

    def container_ids(self, service: str | None = None) -> list[str]:
        """The ids of the project's containers (of one service), running or not, found by
        compose's labels (so this works also where the compose files would not load)."""
        labels = [f"com.docker.compose.project={self.name}"]
        if service:
            labels.append(f"com.docker.compose.service={service}")
        filters = [option for label in labels for option in ("--filter", f"label={label}")]
        return docker("ps", "--all", "--quiet", "--no-trunc", *filters).stdout.split()

    def services(self) -> list[str]:
        """The services the compose files define."""
        return self.compose("config", "--services").stdout.split()

    def exec_python(
        self, service: str, code: str, *, args: list[str] | None = None, index: int = 1
    ) -> dict[str, Any]:
        """Run Python code (with sys.argv[1:] = args) in a service's container; it prints one
        JSON object, returned here."""
        result = self.compose(
            "exec", "-T", "--index", str(index), service, "python", "-c", code, *(args or []),
            timeout=60,
        )  # fmt: skip
        answer: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
        return answer

    def logs(self, container_id: str) -> str:
        """Everything a container wrote to stdout and stderr."""
        result = docker("logs", container_id, timeout=60)
        return result.stdout + result.stderr

    def wait_healthy(self, service: str, timeout_seconds: float = 90) -> None:
        """Wait until every container of service reports healthy."""
        deadline = time.monotonic() + timeout_seconds
        while True:
            states = [
                inspect(cid)["State"].get("Health", {}).get("Status")
                for cid in self.container_ids(service)
            ]
            if states and all(state == "healthy" for state in states):
                return
            if time.monotonic() > deadline:
                raise ComposeError(f"{service} is not healthy after {timeout_seconds} s: {states}")
            time.sleep(0.5)
