"""Print the dependencies the given pyproject.toml files pin, leaving out this workspace's own
parts (signin-stack-*), one per line: what an image installs before it copies the source."""

from __future__ import annotations

import sys
import tomllib


def pinned_requirements(pyproject_paths: list[str]) -> list[str]:
    """The [project] dependencies of every file, in order, without the workspace's parts."""
    found: list[str] = []
    for path in pyproject_paths:
        with open(path, "rb") as file:
            for requirement in tomllib.load(file)["project"]["dependencies"]:
                if not requirement.startswith("signin-stack-") and requirement not in found:
                    found.append(requirement)
    return found


if __name__ == "__main__":
    print("\n".join(pinned_requirements(sys.argv[1:])))
