"""Reading docker stats' memory figures (benchmarks/compose_targets)."""

from __future__ import annotations

import pytest

from benchmarks.compose_targets import memory_bytes


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("12.5MiB / 23.5GiB", int(12.5 * 2**20)),
        ("1.2GiB / 23.5GiB", int(1.2 * 2**30)),
        ("512KiB / 1GiB", 512 * 2**10),
        ("900B / 1GiB", 900),
        ("3.1MB / 1GB", 3_100_000),
    ],
)
def test_memory_bytes_reads_the_first_figure(text: str, expected: int) -> None:
    assert memory_bytes(text) == expected


def test_memory_bytes_refuses_what_is_no_figure() -> None:
    with pytest.raises(ValueError, match="no memory figure"):
        memory_bytes("--")
