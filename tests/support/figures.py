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
    """Wall time spent in each suite (a top-level folder of tests/): setup, call and teardown."""

    def __init__(self, tests_dir: Path) -> None:
        self._tests_dir = tests_dir
        self.seconds: defaultdict[str, float] = defaultdict(float)

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        """Count one phase of one test towards its suite (a pytest hook of this plugin)."""
        path = Path(report.fspath)
        try:
            suite = path.resolve().relative_to(self._tests_dir).parts[0]
        except ValueError:
            return
        self.seconds[suite.removesuffix(".py")] += report.duration

    def lines(self) -> list[str]:
        """One line per suite, slowest first, and the total."""
        rows = sorted(self.seconds.items(), key=lambda item: -item[1])
        total = sum(self.seconds.values())
        return [f"{suite:<16} {seconds:7.1f} s" for suite, seconds in rows] + [
            f"{'all suites':<16} {total:7.1f} s"
        ]
