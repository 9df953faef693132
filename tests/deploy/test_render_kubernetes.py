"""`make k8s-render` (tools/render_kubernetes.py): an overlay whose secret files are missing is
refused with the files to create and the command for each, not kustomize's "evalsymlink
failure"; with every file there it prints what `kubectl kustomize` prints."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from native_stack.stack import REPO_ROOT
from tests.deploy.kustomize import KUSTOMIZE_ROOT, OVERLAYS, kubectl, secret_file_names

RENDER = REPO_ROOT / "tools" / "render_kubernetes.py"


def render_overlay(overlay_dir: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(RENDER), str(overlay_dir), kubectl()],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_missing_secret_files_are_named_with_the_command_creating_each(
    tmp_path: Path, overlay: str
) -> None:
    copy = tmp_path / "kubernetes"
    shutil.copytree(KUSTOMIZE_ROOT, copy)  # as cloned: secrets/ holds its README only
    overlay_dir = copy / "overlays" / overlay
    result = render_overlay(overlay_dir)
    assert result.returncode == 1 and result.stdout == ""
    message = result.stderr
    assert "create these secret files first" in message and "evalsymlink" not in message
    for _, file in secret_file_names(overlay_dir):
        path = overlay_dir / file
        assert f"  {path}\n" in message, file
        assert f"cd {path.parent} && " in message and f"> {path.name}\n" in message, file
    assert f"What each holds: {overlay_dir / 'secrets' / 'README.md'}" in message


def test_only_the_missing_file_is_named(operator_copy: Path, tmp_path: Path) -> None:
    copy = tmp_path / "kubernetes"
    shutil.copytree(operator_copy, copy)
    overlay_dir = copy / "overlays" / "production"
    (overlay_dir / "secrets" / "redis-url").unlink()
    message = render_overlay(overlay_dir).stderr
    named = [line.strip() for line in message.splitlines() if line.startswith("  /")]
    assert named == [str(overlay_dir / "secrets" / "redis-url")], message


def test_a_complete_overlay_renders_as_kustomize_does(operator_copy: Path) -> None:
    overlay_dir = operator_copy / "overlays" / "production"
    result = render_overlay(overlay_dir)
    assert result.returncode == 0, result.stderr
    kustomized = subprocess.run(
        [kubectl(), "kustomize", str(overlay_dir)], capture_output=True, text=True, check=True
    )
    assert result.stdout == kustomized.stdout and "kind: HTTPRoute" in result.stdout


def test_a_folder_without_a_kustomization_is_refused(tmp_path: Path) -> None:
    result = render_overlay(tmp_path)
    assert result.returncode == 2 and "no kustomization.yaml here" in result.stderr
