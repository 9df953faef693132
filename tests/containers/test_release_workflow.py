"""The release workflow (.github/workflows/release.yml) passes actionlint, and the images it
pushes are the ones compose builds and the Kubernetes overlays name, tagged with VERSION; each
Dockerfile labels its image with that version, the source and the licence."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from native_stack.stack import REPO_ROOT
from tests.containers.test_static_checks import compose, tool

WORKFLOW = REPO_ROOT / ".github" / "workflows" / "release.yml"
PRODUCTION = REPO_ROOT / "deploy" / "kubernetes" / "overlays" / "production"
LABELS = {
    "org.opencontainers.image.version": "${VERSION}",
    "org.opencontainers.image.source": "${SOURCE_URL}",
    "org.opencontainers.image.licenses": "MIT",
}


def version() -> str:
    return (REPO_ROOT / "VERSION").read_text(encoding="utf-8").strip()


def workflow() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    return loaded


def published() -> dict[str, str]:
    """Image name -> Dockerfile, from the publish job's matrix."""
    matrix = workflow()["jobs"]["publish"]["strategy"]["matrix"]["include"]
    return {f"signin-stack/{entry['image']}": entry["dockerfile"] for entry in matrix}


def publish_step() -> dict[str, Any]:
    steps = workflow()["jobs"]["publish"]["steps"]
    (step,) = [s for s in steps if s.get("uses", "").startswith("docker/build-push-action@")]
    return dict(step["with"])


def actionlint(workflow_file: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [tool("actionlint"), "-no-color", str(workflow_file)], capture_output=True, text=True
    )


def test_the_release_workflow_passes_actionlint() -> None:
    result = actionlint(WORKFLOW)
    assert result.returncode == 0, result.stdout + result.stderr


def test_actionlint_refuses_a_broken_workflow(tmp_path: Path) -> None:
    broken = tmp_path / "release.yml"
    broken.write_text(WORKFLOW.read_text().replace("needs.version.", "needs.versoin."))
    result = actionlint(broken)
    assert result.returncode == 1 and "versoin" in result.stdout, result.stdout


def test_every_action_is_pinned_to_a_version() -> None:
    for job in workflow()["jobs"].values():
        for step in job["steps"]:
            if "uses" in step:
                assert re.fullmatch(r"[\w.-]+/[\w.-]+@v\d+\.\d+\.\d+", step["uses"]), step["uses"]


def test_the_workflow_pushes_the_images_compose_builds() -> None:
    rendered = yaml.safe_load(compose("docker-compose.yml", "docker-compose.override.yml").stdout)
    built = {
        service["image"].rpartition(":")[0]: service["build"]["dockerfile"]
        for service in rendered["services"].values()
        if "build" in service
    }
    assert published() == built
    tags = {service["image"].rpartition(":")[2] for service in rendered["services"].values()}
    assert tags == {version()}
    for service in rendered["services"].values():
        assert service["build"]["args"] == {"VERSION": version()}, service["image"]


def test_the_workflow_pushes_what_kubernetes_pulls_tagged_with_the_version() -> None:
    step = publish_step()
    prefix, version_tag = (
        "${{ needs.version.outputs.prefix }}",
        "${{ needs.version.outputs.version }}",
    )
    assert step["tags"] == f"{prefix}/${{{{ matrix.image }}}}:{version_tag}"
    assert set(step["platforms"].split(",")) == {"linux/amd64", "linux/arm64"}
    assert step["push"] is True and step["sbom"] is True
    assert "VERSION=${{ needs.version.outputs.version }}" in step["build-args"].splitlines()
    check = workflow()["jobs"]["version"]["steps"][-1]["run"]
    assert '"$(cat VERSION)"' in check and "ghcr.io/${OWNER,,}/signin-stack" in check
    kustomization = yaml.safe_load((PRODUCTION / "kustomization.yaml").read_text())
    for image in kustomization["images"]:
        assert image["name"] in published(), image
        owner_path = image["newName"].removesuffix(f"/{image['name']}")
        assert re.fullmatch(r"ghcr\.io/[a-z0-9-]+", owner_path), image["newName"]
        assert image["newTag"] == version()


def test_the_tag_check_refuses_a_tag_that_is_not_versions(tmp_path: Path) -> None:
    check = workflow()["jobs"]["version"]["steps"][-1]["run"]
    (tmp_path / "VERSION").write_text(version() + "\n")
    outputs = tmp_path / "outputs"
    bash = shutil.which("bash")
    assert bash
    env = {"GITHUB_OUTPUT": str(outputs), "OWNER": "Some-Owner", "PATH": "/usr/bin:/bin"}
    wrong = subprocess.run(
        [bash, "-ec", check], cwd=tmp_path, env={**env, "TAG": "v9.9.9"}, capture_output=True,
        text=True,
    )  # fmt: skip
    assert wrong.returncode == 1 and f"is not v{version()}" in wrong.stdout
    right = subprocess.run([bash, "-ec", check], cwd=tmp_path, env={**env, "TAG": f"v{version()}"})
    assert right.returncode == 0
    assert outputs.read_text().splitlines() == [
        f"version={version()}",
        "prefix=ghcr.io/some-owner/signin-stack",
    ]


def dockerfile_labels(dockerfile: Path) -> dict[str, str]:
    """The LABEL instructions' keys and values (quotes removed) of the final stage."""
    text = dockerfile.read_text().replace("\\\n", " ")
    final_stage = re.split(r"^FROM ", text, flags=re.M)[-1]
    labels = {}
    for line in re.findall(r"^LABEL (.+)$", final_stage, re.M):
        labels.update(re.findall(r'([\w.]+)="([^"]*)"', line))
    return labels


# The images the release publishes; examples/your-app stands for the user's own image.
@pytest.mark.parametrize(
    "dockerfile",
    sorted(REPO_ROOT / dockerfile for dockerfile in published().values()),
    ids=lambda path: path.parent.name,
)
def test_each_image_is_labelled_with_version_source_licence_and_title(dockerfile: Path) -> None:
    labels = dockerfile_labels(dockerfile)
    assert {key: labels.get(key) for key in LABELS} == LABELS
    assert labels["org.opencontainers.image.title"].startswith("signin-stack ")
    assert (REPO_ROOT / "LICENSE").read_text().startswith("MIT License")
    text = dockerfile.read_text()
    assert "ARG VERSION" in text and "ARG SOURCE_URL" in text
    assert (
        "SOURCE_URL=${{ github.server_url }}/${{ github.repository }}"
        in publish_step()["build-args"]
    )
