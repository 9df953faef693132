"""A mutation: one thing wrong with a request, named by its kind for the report."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from urllib.parse import quote

from hypothesis import strategies as st

from tests.fuzz.raw_http import RawRequest

Change = Callable[[RawRequest], RawRequest]

# Text of every Unicode character that UTF-8 can carry (no lone surrogates).
ANY_TEXT = st.text(st.characters(codec="utf-8"), max_size=40)
# Bytes a header value or a path cannot carry as they are: the line ends.
LINE_BREAKS = (b"\r", b"\n")


@dataclass(frozen=True)
class Mutation:
    """What is wrong with a request: its kind (one class of input), the drawn detail, and the
    change itself."""

    kind: str
    detail: str
    change: Change

    def __call__(self, request: RawRequest) -> RawRequest:
        """The request with this mutation applied."""
        return self.change(request)


def mutation(kind: str, detail: object, change: Change) -> Mutation:
    """A Mutation whose detail is the short repr of what was drawn."""
    shown = repr(detail)
    return Mutation(kind, shown if len(shown) <= 80 else shown[:77] + "...", change)


def without_line_breaks(value: bytes) -> bytes:
    """value with CR and LF taken out (they would end the line, not fuzz it)."""
    for line_break in LINE_BREAKS:
        value = value.replace(line_break, b"")
    return value


def percent_encoded(text: str, safe: str = "/") -> bytes:
    """text as UTF-8, percent-encoded except the safe characters."""
    return quote(text.encode(), safe=safe).encode()


def with_path_suffix(request: RawRequest, suffix: bytes) -> RawRequest:
    """request with suffix added to its path, before any query string."""
    path, mark, query = request.target.partition(b"?")
    return replace(request, target=path + suffix + mark + query)


def with_query(request: RawRequest, query: bytes) -> RawRequest:
    """request with query appended to its query string (started if there is none)."""
    joiner = b"&" if b"?" in request.target else b"?"
    return replace(request, target=request.target + joiner + query)


def with_only_header(request: RawRequest, name: bytes, value: bytes) -> RawRequest:
    """request with header name set to value, replacing any earlier one."""
    return request.without_header(name).with_header(name, value)
