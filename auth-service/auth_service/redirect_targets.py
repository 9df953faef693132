"""Deciding whether a `next` target is a safe place to send a browser after sign-in."""

from __future__ import annotations

from urllib.parse import unquote, urlsplit


def safe_relative_path(target: str | None, *, default: str = "/") -> str:
    """Return target if it is a plain path on this origin, else default."""
    if not target or len(target) > 2048:
        return default
    decoded = unquote(target)
    if any(ord(char) <= 0x20 for char in target):
        return default
    if any(ord(char) < 0x20 or ord(char) == 0x7F for char in decoded) or "\\" in decoded:
        return default
    if not target.startswith("/") or decoded.startswith("//"):
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return default
    return target
