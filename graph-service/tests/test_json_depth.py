"""json_depth: a body nested too deeply is found without parsing it."""

from __future__ import annotations

import json

import pytest
from graph_service.json_depth import MAX_JSON_DEPTH, nested_deeper_than


@pytest.mark.parametrize(
    ("text", "depth"),
    [
        (b"{}", 1),
        (b'{"requests": [{"id": "1", "body": {"a": [1, 2]}}]}', 5),
        (b'"[[[[{{{{"', 0),
        (b'["\\"[[[[", "\\\\", []]', 2),
        (b'[{"a": "}}}]]]"}, [[]]]', 3),
    ],
)
def test_depth_counts_brackets_outside_strings(text: bytes, depth: int) -> None:
    assert not nested_deeper_than(text, depth)
    assert nested_deeper_than(text, depth - 1) is (depth > 0)


def test_the_limit_itself_is_accepted_and_one_more_is_not() -> None:
    assert not nested_deeper_than(json.dumps(_nest(MAX_JSON_DEPTH)).encode())
    assert nested_deeper_than(json.dumps(_nest(MAX_JSON_DEPTH + 1)).encode())


def test_five_thousand_levels_are_refused() -> None:
    assert nested_deeper_than(b'{"requests": ' + b"[" * 5000 + b"]" * 5000 + b"}")


def _nest(levels: int) -> object:
    value: object = {}
    for level in range(levels - 1):
        value = [value] if level % 2 else {"a": value}
    return value
