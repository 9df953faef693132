"""How deeply a JSON text nests, found without parsing it (so without recursion)."""

from __future__ import annotations

import re

MAX_JSON_DEPTH = 64  # far beyond any Graph request; far below Python's recursion limit
# A whole string (its brackets are text, not nesting), or one bracket.
STRING_OR_BRACKET = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{}]', re.DOTALL)


def nested_deeper_than(text: bytes, limit: int = MAX_JSON_DEPTH) -> bool:
    """True if arrays and objects in text nest more than limit levels deep."""
    depth = 0
    for token in STRING_OR_BRACKET.finditer(text):
        bracket = token.group()
        if bracket in (b"[", b"{"):
            depth += 1
            if depth > limit:
                return True
        elif bracket in (b"]", b"}"):
            depth -= 1
    return False
