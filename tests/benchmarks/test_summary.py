"""The benchmark summary: PASS/MISS against each target, and the table it prints."""

from __future__ import annotations

import pytest

from benchmarks.summary import AT_LEAST, AT_MOST, WITHIN, Measured, Target, summary_table


@pytest.mark.parametrize(
    ("target", "ratio", "passed"),
    [
        (Target("of floor", AT_LEAST, 0.8, "%"), 0.8, True),
        (Target("of floor", AT_LEAST, 0.8, "%"), 0.79, False),
        (Target("p99", AT_MOST, 1.5), 1.5, True),
        (Target("p99", AT_MOST, 1.5), 1.51, False),
        (Target("others", WITHIN, 0.1, "%"), -0.1, True),
        (Target("others", WITHIN, 0.1, "%"), 0.11, False),
        (Target("others", WITHIN, 0.1, "%"), -0.11, False),
        (Target("bytes", AT_MOST, 3072, "bytes"), 3072, True),
        (Target("not run", AT_LEAST, 1.0), None, False),
    ],
)
def test_each_target_passes_only_when_its_ratio_meets_it(
    target: Target, ratio: float | None, passed: bool
) -> None:
    assert Measured(target, "measured", ratio).passed is passed


def test_an_unknown_comparison_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown comparison"):
        Target("x", "==", 1.0)


def test_the_summary_prints_value_ratio_target_and_result_per_row() -> None:
    table = summary_table(
        [
            Measured(Target("GET /graph/me of the floor", AT_LEAST, 0.8, "%"), "500 vs 600", 5 / 6),
            Measured(Target("x the baseline", AT_LEAST, 6.0), "500 vs 100 req/s", 5.0),
            Measured(Target("change with others", WITHIN, 0.1, "%"), "1,000,000", -0.042),
            Measured(Target("bytes per user", AT_MOST, 3072, "bytes"), "2,900", 2900.0),
            Measured(Target("compose", AT_LEAST, 1.0), "not measured", None),
        ]
    )
    lines = table.splitlines()
    assert lines[0] == "Issue 17 targets" and set(lines[1]) == {"-"}
    assert lines[2].split() == ["target", "measured", "ratio", "target", "result"]
    rows = lines[3:8]
    assert rows[0].split()[-4:] == ["83%", ">=", "80%", "PASS"]
    assert "5.00x" in rows[1] and ">= 6.00x" in rows[1] and rows[1].split()[-1] == "MISS"
    assert "-4.2%" in rows[2] and "within ±10%" in rows[2] and rows[2].split()[-1] == "PASS"
    assert "2,900" in rows[3] and "<= 3,072" in rows[3] and rows[3].split()[-1] == "PASS"
    assert " - " in rows[4] and rows[4].split()[-1] == "MISS"
    assert len({len(row) for row in rows}) == 1, "columns are padded to one width"
    assert lines[8] == "3 of 5 targets met"
