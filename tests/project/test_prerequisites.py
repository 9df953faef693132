"""`make check-prerequisites`, which make dev, make install and make test run first: what is
missing from the system is named with the apt-get line that installs it, and nothing is
installed (issue 18: "a check in make that says what is missing ... instead of a pip error")."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from native_stack.stack import REPO_ROOT, find_tool

MAKE = shutil.which("make")
# What the check and make's recipes run, besides the tools checked.
PROGRAMS = {"bash": shutil.which("bash"), "python3": sys.executable}
TOOLS = {name: find_tool(name) for name in ("nginx", "redis-server", "chromium")}


def system_without(tmp_path: Path, *left_out: str) -> Path:
    """A folder for PATH with every prerequisite but left_out (links to the real ones)."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for name, path in {**PROGRAMS, **TOOLS}.items():
        assert path, f"{name} is needed to run this test"
        if name not in left_out:
            (bin_dir / name).symlink_to(path)
    return bin_dir


def make(bin_dir: Path, *arguments: str) -> subprocess.CompletedProcess[str]:
    """make in the repository with only bin_dir on PATH and no sbin folders searched."""
    assert MAKE
    return subprocess.run(
        [MAKE, "--no-print-directory", "-C", str(REPO_ROOT), *arguments, "SBIN_PATH="],
        env={"PATH": str(bin_dir), "HOME": str(bin_dir)},
        capture_output=True,
        text=True,
        timeout=30,
    )


def test_with_everything_present_the_check_passes_silently(tmp_path: Path) -> None:
    result = make(system_without(tmp_path), "check-prerequisites", "FOR=test")
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")


@pytest.mark.parametrize(
    ("purpose", "left_out", "install_line"),
    [
        ("dev", ("nginx",), "apt-get install -y nginx\n"),
        ("dev", ("nginx", "redis-server"), "apt-get install -y nginx redis-server\n"),
        ("test", ("chromium",), "apt-get install -y chromium\n"),
        ("dev", ("python3",), "apt-get install -y python3 python3-venv\n"),
    ],
)
def test_what_is_missing_is_named_with_its_apt_get_line(
    tmp_path: Path, purpose: str, left_out: tuple[str, ...], install_line: str
) -> None:
    result = make(system_without(tmp_path, *left_out), "check-prerequisites", f"FOR={purpose}")
    assert result.returncode != 0
    assert f"Missing for make {purpose}:\n" in result.stderr, result.stderr
    for name in left_out:
        assert f"  - {name}" in result.stderr, result.stderr
    assert install_line in result.stderr, result.stderr


def test_chromium_is_needed_for_the_tests_only(tmp_path: Path) -> None:
    result = make(system_without(tmp_path, "chromium"), "check-prerequisites")
    assert result.returncode == 0, result.stderr


def test_a_python_older_than_3_11_is_named_with_its_version(tmp_path: Path) -> None:
    bin_dir = system_without(tmp_path, "python3")
    old_python = bin_dir / "python3"
    old_python.write_text('#!/bin/sh\n[ "$1" = --version ] && echo "Python 3.9.2"; exit 1\n')
    old_python.chmod(0o755)
    result = make(bin_dir, "check-prerequisites")
    assert result.returncode != 0
    assert "Python 3.11 or newer: python3 is Python 3.9.2" in result.stderr, result.stderr


@pytest.mark.parametrize(("target", "left_out"), [("dev", "nginx"), ("test", "chromium")])
def test_make_stops_before_creating_the_virtualenv(
    tmp_path: Path, target: str, left_out: str
) -> None:
    venv = tmp_path / "venv"
    result = make(system_without(tmp_path, left_out), target, f"VENV={venv}")
    assert result.returncode != 0
    assert f"  - {left_out}" in result.stderr, result.stderr
    assert not venv.exists()
