"""What our images hold: the runtime and nothing of the development tools; their sizes."""

from __future__ import annotations

import json

import pytest

from native_stack.stack import REPO_ROOT
from tests.container_stack.compose_project import docker
from tests.support.figures import Figures

# Installed in the development virtualenv only (requirements-dev.txt).
DEVELOPMENT_PACKAGES = ["pytest", "ruff", "mypy", "playwright", "yaml", "kubernetes_validate"]
LISTS_MODULES = """
import importlib.util, json, sys
print(json.dumps({name: importlib.util.find_spec(name) is not None for name in sys.argv[1:]}))
"""
PYTHON_IMAGES = ("auth-service", "graph-service", "emulator", "demo-app")


def image_size_mb(image: str) -> float:
    """An image's size in MB, as the engine reports it."""
    return int(docker("image", "inspect", "--format", "{{.Size}}", image).stdout) / 1e6


def test_sizes_of_the_images(built_images: list[str], figures: Figures) -> None:
    sizes = {image: image_size_mb(image) for image in built_images}
    for image, size in sizes.items():
        figures.add(f"image {image}: {size:.0f} MB")
    assert len(sizes) == 6 and all(size > 0 for size in sizes.values())


@pytest.mark.parametrize("service", PYTHON_IMAGES)
def test_a_python_image_holds_no_development_tool(built_images: list[str], service: str) -> None:
    (image,) = [name for name in built_images if f"/{service}:" in name]
    found = docker(
        "run", "--rm", "--read-only", "--entrypoint", "python", image,
        "-c", LISTS_MODULES, *DEVELOPMENT_PACKAGES, "gunicorn", "flask",
    ).stdout  # fmt: skip
    present = json.loads(found)
    assert present["gunicorn"] and present["flask"], present  # the check can see packages
    assert not [name for name in DEVELOPMENT_PACKAGES if present[name]], present
    listing = docker("run", "--rm", "--entrypoint", "ls", image, "-A", ".").stdout.split()
    assert not {"tests", ".git", ".venv", "benchmarks", "docs"} & set(listing), listing


def test_each_image_is_labelled_with_the_version_and_licence(built_images: list[str]) -> None:
    version = (REPO_ROOT / "VERSION").read_text().strip()
    for image in built_images:
        labels = json.loads(
            docker("image", "inspect", "--format", "{{json .Config.Labels}}", image).stdout
        )
        assert labels["org.opencontainers.image.version"] == version, image
        assert labels["org.opencontainers.image.licenses"] == "MIT", image
        assert labels["org.opencontainers.image.title"].startswith("signin-stack "), image
