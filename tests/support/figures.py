"""Figures the suites measure (times, sizes, failure rates), printed at the end of the run."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import pytest


class Figures:
    """Lines of measured figures, in the order they were taken."""

    def __init__(self) -> None:
        self.lines: list[str] = []

    def add(self, line: str) -> None:
        """Keep one figure for the summary."""
        self.lines.append(line)


class SuiteTimes:
    """Wall time spent in each suite (setup, call and teardown): a folder of the root tests/,
    or a part's own tests/ (emulator/tests counts as `emulator`)."""

    def __init__(self, repo_root: Path) -> None:
        self._repo_root = repo_root
        self.seconds: defaultdict[str, float] = defaultdict(float)

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        """Count one phase of one test towards its suite (a pytest hook of this plugin)."""
        try:
            parts = Path(report.fspath).resolve().relative_to(self._repo_root).parts
        except ValueError:
            return
        if len(parts) > 1 and parts[0] == "tests":
            suite = parts[1].removesuffix(".py")
        elif len(parts) > 1 and parts[1] == "tests":
            suite = parts[0]
        else:
            return
        self.seconds[suite] += report.duration

    def lines(self) -> list[str]:
        """One line per suite, slowest first, and the total."""
        rows = sorted(self.seconds.items(), key=lambda item: -item[1])
        total = sum(self.seconds.values())
        return [f"{suite:<16} {seconds:7.1f} s" for suite, seconds in rows] + [
            f"{'all suites':<16} {total:7.1f} s"
        ]
