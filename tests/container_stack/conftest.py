"""The stack as users run it: images built from our Dockerfiles, started by `docker compose up`
on a Docker engine. Under CI=true a missing engine fails the suite; elsewhere it is skipped."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from native_stack.emulator_registration import EmulatorRegistration, read_seeded_registration
from native_stack.ports import free_port
from native_stack.stack import REPO_ROOT
from tests.container_stack.compose_project import ComposeProject, engine_problem
from tests.support.figures import Figures

# Our images get their own tag, so a test run never replaces what a user runs (the VERSION tag).
TEST_TAG = "container-tests"
DEVELOPMENT_FILES = [REPO_ROOT / "docker-compose.yml", REPO_ROOT / "docker-compose.override.yml"]
ARTIFACTS_DIR = REPO_ROOT / "test-artifacts"
AUTH_REPLICAS = 2
GRAPH_REPLICAS = 3


ENGINE_PROBLEM = pytest.StashKey[str | None]()


def pytest_runtest_setup(item: pytest.Item) -> None:
    """A Docker engine to run on: required in CI; else every test here is skipped, reported
    as one line saying how to get one (a skip raised here has one location for all)."""
    if ENGINE_PROBLEM not in item.config.stash:
        item.config.stash[ENGINE_PROBLEM] = engine_problem()
    problem = item.config.stash[ENGINE_PROBLEM]
    if problem is None:
        return
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI=true and the container suite cannot run: {problem}", pytrace=False)
    pytest.skip(
        f"container suite skipped ({problem}); start an engine (Docker, or on these machines "
        '`eval "$(../shared/container-engine/engine start)"`) and run `make test-containers`'
    )


@pytest.fixture(scope="session")
def built_images(figures: Figures) -> list[str]:
    """Build every image of the development form (a superset of production's) once."""
    project = ComposeProject("signin-tests-build", DEVELOPMENT_FILES, {"TAG": TEST_TAG})
    started = time.monotonic()
    project.compose("build", timeout=1800)
    figures.add(f"images built in {time.monotonic() - started:.0f} s")
    names = project.compose("config", "--images").stdout.split()
    return sorted(set(names))


@dataclass(frozen=True)
class RunningStack:
    """A compose project that is up, and how a browser reaches it."""

    project: ComposeProject
    public_url: str
    registration: EmulatorRegistration


@pytest.fixture(scope="session")
def dev_stack(built_images: list[str], figures: Figures) -> Iterator[RunningStack]:
    """`docker compose up` (base + development override) with replicas of both services."""
    port = free_port()
    project = ComposeProject(
        "signin-tests-dev",
        DEVELOPMENT_FILES,
        {"TAG": TEST_TAG, "PUBLIC_PORT": str(port), "PUBLIC_TLS_PORT": str(free_port())},
    )
    project.down()  # what an interrupted run may have left
    started = time.monotonic()
    try:
        project.up(
            "--scale", f"auth-service={AUTH_REPLICAS}", "--scale", f"graph-service={GRAPH_REPLICAS}"
        )
        figures.add(f"development stack healthy {time.monotonic() - started:.0f} s after up")
        yield RunningStack(project, f"http://localhost:{port}", read_seeded_registration())
    finally:
        save_logs(project)
        project.down()


def save_logs(project: ComposeProject) -> None:
    """Keep the project's logs in test-artifacts/ for whoever reads a failed run."""
    ARTIFACTS_DIR.mkdir(exist_ok=True)
    logs = project.compose("logs", "--no-color", "--timestamps", check=False, timeout=120)
    (ARTIFACTS_DIR / f"{project.name}.log").write_text(logs.stdout + logs.stderr)
