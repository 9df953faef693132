"""The README is a user's few screens, in a user's order, and its commands and the layout
page's folder tree describe what exists."""

from __future__ import annotations

import re

from native_stack.stack import REPO_ROOT

README = (REPO_ROOT / "README.md").read_text()
MAKEFILE = (REPO_ROOT / "Makefile").read_text()


def test_run_and_test_commands_are_near_the_top_compose_first() -> None:
    top = "\n".join(README.splitlines()[:16])
    commands = ["\ndocker compose up", "\nmake dev", "\nmake test"]
    places = [top.find(command) for command in commands]
    assert -1 not in places and places == sorted(places), places


def test_every_make_target_the_readme_names_exists() -> None:
    named = set(re.findall(r"`make ([a-z0-9-]+)", README)) | set(
        re.findall(r"^make ([a-z0-9-]+)", README, re.M)
    )
    targets = set(re.findall(r"^([a-z0-9-]+):", MAKEFILE, re.M))
    assert named and named <= targets, named - targets


def test_ci_runs_the_readme_test_command() -> None:
    ci = (REPO_ROOT / ".ci" / "run").read_text()
    assert "\nmake test\n" in ci


def test_the_readme_fits_on_a_few_screens_in_a_users_order() -> None:
    # A few screens: with the performance table the benchmark quotes (docs/benchmarks.md).
    assert len(README.splitlines()) <= 200
    sections = re.findall(r"^## (.+)$", README, re.M)
    assert sections == [
        "What it is",
        "Prerequisites",
        "Port 5000 is taken",
        "Sign in against your own tenant",
        "Put your own app behind it",
        "Deploy it",
        "Performance",
        "Read more",
    ]


def test_signing_in_against_a_tenant_takes_five_steps() -> None:
    steps = README.split("## Sign in against your own tenant", 1)[1].split("\n## ", 1)[0]
    assert re.findall(r"^(\d)\. ", steps, re.M) == ["1", "2", "3", "4", "5"]


def test_layout_folders_exist() -> None:
    layout = (REPO_ROOT / "docs" / "layout.md").read_text()
    folders = re.findall(r"^([a-z_-]+)/\s", layout, re.M)
    assert len(folders) >= 6
    for folder in folders:
        assert (REPO_ROOT / folder).is_dir(), folder
