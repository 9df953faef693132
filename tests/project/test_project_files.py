"""The project's own files say true things: one version everywhere, and an .env.example that
names every variable the compose files read (issue 18, "Project files")."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import yaml
from ms_emulator import __version__ as emulator_version

from native_stack.repository import REPO_ROOT

COMPOSE_FILES = sorted(REPO_ROOT.glob("docker-compose*.yml"))
# ${NAME}, ${NAME:-default}, ${NAME:?message}: what compose interpolates from the environment.
COMPOSE_VARIABLE = re.compile(r"\$\{([A-Z_][A-Z0-9_]*)")
# `NAME=value` or `# NAME=value` at the start of a line: a variable .env.example documents.
DOCUMENTED_VARIABLE = re.compile(r"^#?\s*([A-Z_][A-Z0-9_]*)=", re.M)
SECRETS = ("CLIENT_SECRET", "DATA_ENCRYPTION_KEYS", "IDENTITY_ASSERTION_KEY", "REDIS_PASSWORD")
PARTS = ["signin-core", "auth-service", "graph-service", "emulator", "examples/demo-app", "dev"]


def version() -> str:
    return (REPO_ROOT / "VERSION").read_text(encoding="utf-8").strip()


def test_version_is_semantic() -> None:
    assert re.fullmatch(r"\d+\.\d+\.\d+", version())


def test_every_part_the_emulator_and_the_changelog_name_the_version() -> None:
    for part in PARTS:
        project = tomllib.loads((REPO_ROOT / part / "pyproject.toml").read_text("utf-8"))
        assert project["project"]["version"] == version(), part
    assert emulator_version == version()
    changelog = (REPO_ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    releases = re.findall(r"^## \[(\d+\.\d+\.\d+)\]", changelog, re.M)
    assert releases and releases[0] == version(), releases


def test_images_and_kubernetes_are_tagged_with_the_version() -> None:
    for path in COMPOSE_FILES:
        for tag in re.findall(r"image: signin-stack/[a-z-]+:\$\{TAG:-([^}]+)\}", path.read_text()):
            assert tag == version(), path.name
    production = REPO_ROOT / "deploy/kubernetes/overlays/production/kustomization.yaml"
    images = yaml.safe_load(production.read_text(encoding="utf-8"))["images"]
    assert images and {image["newTag"] for image in images} == {version()}


def test_env_example_documents_every_variable_compose_reads() -> None:
    read = {name for path in COMPOSE_FILES for name in COMPOSE_VARIABLE.findall(path.read_text())}
    example = (REPO_ROOT / ".env.example").read_text(encoding="utf-8")
    documented = set(DOCUMENTED_VARIABLE.findall(example))
    assert read, "no compose variable found: the pattern is wrong"
    assert read <= documented, sorted(read - documented)
    assert documented <= read, sorted(documented - read)  # nothing compose would ignore


def test_env_example_holds_no_secret_and_changes_nothing_as_copied() -> None:
    example = (REPO_ROOT / ".env.example").read_text(encoding="utf-8")
    assigned = [line for line in example.splitlines() if re.match(r"^[A-Z_]+=", line)]
    assert assigned == [], "copied as .env it must change nothing until a line is uncommented"
    for name in SECRETS:
        (line,) = [line for line in example.splitlines() if line.startswith(f"# {name}=")]
        assert line == f"# {name}=", line  # shown empty: the user brings their own


def test_project_files_exist_and_name_this_project() -> None:
    for name in ("LICENSE", "SECURITY.md", "CONTRIBUTING.md", "CHANGELOG.md"):
        text = (REPO_ROOT / name).read_text(encoding="utf-8")
        assert len(text) > 500, name
    assert (REPO_ROOT / "LICENSE").read_text().startswith("MIT License")
    assert "make test" in (REPO_ROOT / "CONTRIBUTING.md").read_text()
    assert version().rsplit(".", 1)[0] in (REPO_ROOT / "SECURITY.md").read_text()
    assert Path(REPO_ROOT / ".pre-commit-config.yaml").is_file()


def test_every_part_is_licensed_as_license_says() -> None:
    assert (REPO_ROOT / "LICENSE").read_text().startswith("MIT License")
    for part in PARTS:
        project = tomllib.loads((REPO_ROOT / part / "pyproject.toml").read_text("utf-8"))
        assert project["project"]["license"] == "MIT", part  # PEP 639: an SPDX expression
