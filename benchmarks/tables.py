"""Printing benchmark results as plain-text tables."""

from __future__ import annotations

from collections.abc import Sequence


def format_table(title: str, header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """Return a titled table with columns padded to their widest cell."""
    widths = [max(len(str(row[i])) for row in [header, *rows]) for i in range(len(header))]
    lines = [title, "-" * len(title)]
    for row in [header, *rows]:
        lines.append(
            "  ".join(str(cell).ljust(width) for cell, width in zip(row, widths, strict=True))
        )
    return "\n".join(lines) + "\n"
