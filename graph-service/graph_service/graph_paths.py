"""Keeping every Graph call on the configured Graph base URL."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

# Decoded by Graph, an encoded /, \, . or NUL could climb out of the approved path, and an
# encoded # or ? would end it early: Graph would read another path than the allowlist's.
ENCODED_SEPARATORS = re.compile(r"%(2f|5c|2e|00|23|3f)", re.IGNORECASE)
SCHEME_LIKE = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")


class InvalidGraphPathError(ValueError):
    """A path we will not send a token to; the message says why."""


def refuse(message: str) -> InvalidGraphPathError:
    """The error for a path we will not send a token to."""
    return InvalidGraphPathError(message)


def checked_graph_path(raw_path: str) -> str:
    """Return raw_path (the part after /graph/v1.0) if it stays inside Graph, else refuse it."""
    if not raw_path.startswith("/") or raw_path.startswith("//"):
        raise refuse("The Graph path must be relative, like /me.")
    if ENCODED_SEPARATORS.search(raw_path):
        raise refuse("Encoded slashes, backslashes, dots, # and ? are not allowed in the path.")
    if "#" in raw_path:
        raise refuse("A # is not allowed in the path: Graph would get only the part before it.")
    if "\\" in raw_path or any(ord(char) <= 0x20 or ord(char) == 0x7F for char in raw_path):
        raise refuse("Backslashes, spaces and control characters are not allowed in the path.")
    segments = raw_path[1:].split("/")
    if any(segment in ("", ".", "..") for segment in segments):
        raise refuse("Empty, . and .. path segments are not allowed.")
    if SCHEME_LIKE.match(segments[0]) or "://" in raw_path:
        raise refuse("Absolute URLs are not allowed; give a path relative to Graph.")
    return raw_path


def graph_url(base_url: str, path: str) -> str:
    """Join base_url and a checked path, and prove the result is base_url and all of path."""
    url = base_url + path
    base, joined = urlsplit(base_url), urlsplit(url)
    if (
        (joined.scheme, joined.netloc) != (base.scheme, base.netloc)
        or not joined.path.startswith(base.path + "/")
        or (joined.path, joined.query, joined.fragment) != (base.path + path, "", "")
    ):
        raise refuse("The path leaves Microsoft Graph.")
    return url


def is_same_graph_link(base_url: str, link: str) -> bool:
    """True if an @odata.nextLink points at the configured Graph base URL."""
    base, target = urlsplit(base_url), urlsplit(link)
    return (
        (target.scheme, target.netloc) == (base.scheme, base.netloc)
        and target.path.startswith(base.path + "/")
        and ".." not in target.path.split("/")
    )
