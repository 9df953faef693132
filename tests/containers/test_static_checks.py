"""Compose files, Dockerfiles and the nginx config, checked statically (no Docker engine here)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from native_stack.stack import REPO_ROOT
from native_stack.templates import render_template_dir

TOOLS_DIR = Path(sys.executable).parent
DOCKERFILES = sorted(REPO_ROOT.glob("*/Dockerfile"))
REQUIRED_SECRETS = ("CLIENT_ID", "CLIENT_SECRET", "AUTHORITY", "DATA_ENCRYPTION_KEYS")


def tool(name: str) -> str:
    found = shutil.which(name, path=str(TOOLS_DIR)) or shutil.which(name)
    assert found, f"{name} is not installed (make install provides it)"
    return found


def compose(*files: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    argv = [tool("docker-compose"), "--project-directory", str(REPO_ROOT)]
    for name in files:
        argv += ["-f", str(REPO_ROOT / name)]
    clean_env = {"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/tmp")}
    return subprocess.run(
        [*argv, "config"], env={**clean_env, **(env or {})}, capture_output=True, text=True
    )


def test_compose_with_override_runs_with_no_env_file() -> None:
    result = compose("docker-compose.yml", "docker-compose.override.yml")
    assert result.returncode == 0, result.stderr
    for service in ("redis", "emulator", "auth-service", "graph-service", "nginx"):
        assert f"  {service}:" in result.stdout


def test_compose_services_wait_for_healthy_dependencies() -> None:
    result = compose("docker-compose.yml", "docker-compose.override.yml")
    assert result.returncode == 0, result.stderr
    assert result.stdout.count("condition: service_healthy") >= 4
    assert result.stdout.count("healthcheck:") >= 4


def test_production_compose_refuses_missing_secrets() -> None:
    result = compose("docker-compose.yml", "docker-compose.prod.yml")
    assert result.returncode != 0
    assert "required variable" in result.stderr


def test_production_compose_accepts_full_configuration() -> None:
    env = {name: f"value-of-{name.lower()}" for name in REQUIRED_SECRETS}
    env.update(IDENTITY_ASSERTION_KEY="k" * 40, PUBLIC_URL="https://app.example.com")
    result = compose("docker-compose.yml", "docker-compose.prod.yml", env=env)
    assert result.returncode == 0, result.stderr
    assert "emulator" not in result.stdout


@pytest.mark.parametrize("dockerfile", DOCKERFILES, ids=lambda path: path.parent.name)
def test_dockerfile_passes_hadolint(dockerfile: Path) -> None:
    result = subprocess.run(
        [tool("hadolint"), "--failure-threshold", "warning", str(dockerfile)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("dockerfile", DOCKERFILES, ids=lambda path: path.parent.name)
def test_dockerfile_runs_as_non_root_with_healthcheck(dockerfile: Path) -> None:
    text = dockerfile.read_text()
    assert "HEALTHCHECK" in text
    if "nginx-unprivileged" not in text:
        assert "\nUSER " in text and "USER root" not in text


def test_every_service_folder_has_a_dockerfile() -> None:
    folders = {path.parent.name for path in DOCKERFILES}
    assert {"auth-service", "graph-service", "emulator", "nginx"} <= folders


@pytest.mark.parametrize("with_emulator", [True, False], ids=["development", "production"])
def test_rendered_nginx_config_passes_nginx_t(tmp_path: Path, with_emulator: bool) -> None:
    nginx = shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin")
    assert nginx, "nginx is not installed"
    (tmp_path / "temp").mkdir()
    shutil.copy(REPO_ROOT / "nginx" / "nginx.conf", tmp_path / "nginx.conf")
    values = {
        "NGINX_LISTEN": "127.0.0.1:8080",
        "AUTH_SERVICE_ADDR": "127.0.0.1:8000",
        "GRAPH_SERVICE_SERVERS": "server 127.0.0.1:8001;\n    server 127.0.0.1:8002;",
        "EMULATOR_ADDR": "127.0.0.1:8443",
        "EMULATOR_CA_FILE": "/etc/ssl/certs/ca-certificates.crt",
    }
    render_template_dir(REPO_ROOT / "nginx" / "templates", tmp_path / "conf.d", values)
    if not with_emulator:
        shutil.rmtree(tmp_path / "conf.d" / "locations")
    result = subprocess.run(
        [nginx, "-t", "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf"), "-e", "stderr"],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert "test is successful" in result.stderr
