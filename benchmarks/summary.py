"""Issue 17's targets: each measured value against its target, PASS or MISS, in one table."""

from __future__ import annotations

import operator
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from benchmarks.tables import format_table

AT_LEAST = ">="
AT_MOST = "<="
WITHIN = "within"
COMPARISONS: dict[str, Callable[[float, float], bool]] = {
    AT_LEAST: operator.ge,
    AT_MOST: operator.le,
    WITHIN: lambda value, bound: abs(value) <= bound,
}


@dataclass(frozen=True)
class Target:
    """One target: what is compared (ratio) with what bound, and how."""

    name: str
    comparison: str  # AT_LEAST, AT_MOST or WITHIN (the absolute value at most the bound)
    bound: float
    unit: str = "x"  # "x" ratio, "%" share (0.8 = 80%), "bytes"

    def __post_init__(self) -> None:
        if self.comparison not in COMPARISONS:
            raise ValueError(f"unknown comparison {self.comparison!r}")


@dataclass(frozen=True)
class Measured:
    """A target's measurement: the value it rests on (as text) and the ratio compared."""

    target: Target
    measured: str  # e.g. "stack 512 req/s, floor 600 req/s"
    ratio: float | None  # None: not measured in this run (a MISS that says why)

    @property
    def passed(self) -> bool:
        """True when the ratio meets the target."""
        if self.ratio is None:
            return False
        return COMPARISONS[self.target.comparison](self.ratio, self.target.bound)


def format_value(value: float, unit: str) -> str:
    """A ratio or bound as the summary prints it: 0.83 -> 83%, 6.1 -> 6.1x, 2416 -> 2,416."""
    if unit == "%":
        return f"{value:+.1%}" if value < 0 else f"{value:.0%}"
    if unit == "bytes":
        return f"{value:,.0f}"
    return f"{value:.2f}x"


def _target_text(target: Target) -> str:
    if target.comparison == WITHIN:
        return f"within ±{format_value(target.bound, target.unit)}"
    return f"{target.comparison} {format_value(target.bound, target.unit)}"


def summary_table(results: Sequence[Measured], title: str = "Issue 17 targets") -> str:
    """The one table of every target: measured, ratio, target, PASS/MISS."""
    header = ["target", "measured", "ratio", "target", "result"]
    rows = [
        [
            result.target.name,
            result.measured,
            "-" if result.ratio is None else format_value(result.ratio, result.target.unit),
            _target_text(result.target),
            "PASS" if result.passed else "MISS",
        ]
        for result in results
    ]
    passed = sum(result.passed for result in results)
    return format_table(title, header, rows) + f"{passed} of {len(results)} targets met\n"
