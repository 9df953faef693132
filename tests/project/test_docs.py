"""The README's and docs pages' links resolve, and their shell commands name what exists
(issue 18: "docs pages are linked and their commands tested where they are commands")."""

from __future__ import annotations

import re
import shlex
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from native_stack.__main__ import parse_arguments
from native_stack.stack import REPO_ROOT

PAGES = [REPO_ROOT / "README.md", *sorted((REPO_ROOT / "docs").glob("*.md"))]
# Also checked for links: the other pages a reader reaches from the README.
LINKED_PAGES = [*PAGES, *(REPO_ROOT / name for name in ("CONTRIBUTING.md", "SECURITY.md"))]
MAKE_TARGETS = set(re.findall(r"^([a-z0-9-]+):", (REPO_ROOT / "Makefile").read_text(), re.M))
FENCE = re.compile(r"^```(\w*)\n(.*?)^```", re.M | re.S)
LINK = re.compile(r"\]\(([^)\s]+)\)")
# A repository path as a command names it: a/b/c, or a file name with one of these endings.
# The repository's own top-level entries (a folder a command creates, like ./credentials,
# is not one, even where compose has made it).
REPOSITORY_TOP_LEVEL = {
    path.split("/")[0]
    for path in subprocess.run(
        ["git", "ls-files"], cwd=REPO_ROOT, capture_output=True, text=True, check=True
    ).stdout.splitlines()
}
PATH_LIKE = re.compile(r"^(?:[\w.-]+/)+[\w.-]*$|^[\w.-]+\.(?:ya?ml|md|sh|toml|txt|example)$")


def page_id(page: Path) -> str:
    return str(page.relative_to(REPO_ROOT))


def prose(markdown: str) -> str:
    """The page without its fenced blocks (a link inside one is not a link)."""
    return FENCE.sub("", markdown)


def anchors(page: Path) -> set[str]:
    """GitHub's anchor of every heading on a page."""
    headings = re.findall(r"^#{1,6} (.+)$", prose(page.read_text()), re.M)
    return {
        re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-") for heading in headings
    }


def shell_lines(page: Path) -> list[str]:
    """Each command of the page's `sh` blocks: continuations joined, comments dropped."""
    blocks = [body for language, body in FENCE.findall(page.read_text()) if language == "sh"]
    text = "\n".join(blocks).replace("\\\n", " ")
    return [line.split("  #")[0].strip() for line in text.splitlines() if line.strip()]


def words(line: str) -> list[str]:
    try:
        return shlex.split(line, comments=True)
    except ValueError:  # an unbalanced quote in a placeholder: split on spaces
        return line.split()


def broken_links(page: Path) -> list[str]:
    """The page's relative links whose file, or whose anchor in it, does not exist."""
    broken = []
    for target in LINK.findall(prose(page.read_text())):
        if re.match(r"^[a-z][a-z+.-]*:", target):  # https:, mailto: ...
            continue
        path, _, anchor = target.partition("#")
        linked = (page.parent / path).resolve() if path else page
        if not linked.exists():
            broken.append(target)
        elif anchor and (linked.suffix != ".md" or anchor not in anchors(linked)):
            broken.append(target)
    return broken


def test_every_docs_page_is_linked_from_the_readme_or_another_page() -> None:
    linked = {
        (page.parent / target.partition("#")[0]).resolve()
        for page in PAGES
        for target in LINK.findall(prose(page.read_text()))
        if not target.startswith("#")
    }
    unlinked = [page_id(page) for page in PAGES[1:] if page.resolve() not in linked]
    assert not unlinked, unlinked


def missing_in_commands(page: Path) -> list[str]:
    """Make targets, make dev options and repository files the page's commands name but
    that do not exist."""
    missing = []
    for line in shell_lines(page):
        parts = words(line)
        for index, word in enumerate(parts):
            if word == "make" and index + 1 < len(parts) and parts[index + 1][0].isalpha():
                if parts[index + 1] not in MAKE_TARGETS:
                    missing.append(f"make {parts[index + 1]}")
            if word.startswith("ARGS=") and parts[index - 2 : index - 1] == ["make"]:
                try:
                    parse_arguments(shlex.split(word.removeprefix("ARGS=")))
                except SystemExit:
                    missing.append(f"make dev {word}: not an option of make dev")
            named_file = parts[index - 1] in ("-f", "--file") and "$" not in word
            if named_file or (PATH_LIKE.match(word) and word.split("/")[0] in REPOSITORY_TOP_LEVEL):
                if not (REPO_ROOT / word).exists():
                    missing.append(word)
    return missing


@pytest.mark.parametrize("check", [broken_links, missing_in_commands], ids=lambda f: f.__name__)
@pytest.mark.parametrize("page", LINKED_PAGES, ids=page_id)
def test_what_each_page_links_to_and_its_commands_name_exists(
    page: Path, check: Callable[[Path], list[str]]
) -> None:
    """Every relative link and anchor resolves; every make target, make dev option and
    repository file a `sh` block names exists."""
    found = check(page)
    assert not found, found


def test_the_checks_catch_what_does_not_exist(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    page.write_text(
        "# Page\n\n[ok](#page) [gone](#no-such-heading) [file](no-such-file.md)\n\n"
        "```sh\nmake no-such-target\nmake dev ARGS=--no-such-option\n"
        "docker compose -f missing.yml -f examples/no-such-app/compose.yaml up  # comment\n```\n"
    )
    assert broken_links(page) == ["#no-such-heading", "no-such-file.md"]
    assert missing_in_commands(page) == [
        "make no-such-target",
        "make dev ARGS=--no-such-option: not an option of make dev",
        "missing.yml",
        "examples/no-such-app/compose.yaml",
    ]
