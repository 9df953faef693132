"""Deciding whether a `next` target is a safe place to send a browser after sign-in."""

from __future__ import annotations

import re
from urllib.parse import unquote, urlsplit

MAX_TARGET_LENGTH = 2048
# What a relative URL this app produces looks like on the wire: printable ASCII, no spaces.
PRINTABLE_ASCII = re.compile(r"^[\x21-\x7e]+$")
# Characters no path of ours contains once decoded: controls (C0, DEL, C1) and backslash,
# which some browsers read as a slash.
UNSAFE_DECODED = re.compile(r"[\x00-\x1f\x7f-\x9f\\]")
# Segments a browser may collapse or reinterpret into `//host`.
UNSAFE_SEGMENTS = re.compile(r"//|/\.\.?(/|$)")


def safe_relative_path(target: str | None, *, default: str = "/") -> str:
    """Return target if it is a plain path on this origin, else default."""
    if not target or len(target) > MAX_TARGET_LENGTH or not PRINTABLE_ASCII.match(target):
        return default
    if not target.startswith("/"):
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return default
    for layer in (target, unquote(target), unquote(unquote(target))):
        path = layer.split("?", 1)[0].split("#", 1)[0]
        if UNSAFE_DECODED.search(layer) or UNSAFE_SEGMENTS.search(path):
            return default
    return target
