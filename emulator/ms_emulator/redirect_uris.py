"""Matching redirect URIs against an app's registered ones (loopback ports are ignored)."""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import urlencode, urlsplit, urlunsplit

LOOPBACK_HOSTS = ("localhost", "127.0.0.1", "::1")


def _comparable(uri: str) -> tuple[str, str, str, str] | None:
    """Scheme, host, path and query, with the port dropped for http loopback URIs."""
    try:
        parts = urlsplit(uri)
        port = parts.port
    except ValueError:
        return None
    if not parts.scheme or not parts.netloc or parts.fragment:
        return None
    host = (parts.hostname or "").lower()
    if parts.scheme == "http" and host in LOOPBACK_HOSTS:
        netloc = host
    else:
        netloc = host if port is None else f"{host}:{port}"
    return parts.scheme.lower(), netloc, parts.path or "/", parts.query


def is_registered(uri: str, registered: Iterable[str]) -> bool:
    """True when uri matches one of the registered URIs as Entra would match it."""
    wanted = _comparable(uri)
    return wanted is not None and any(_comparable(item) == wanted for item in registered)


def with_parameters(uri: str, parameters: dict[str, str], in_fragment: bool = False) -> str:
    """Append parameters to uri's query (or fragment)."""
    parts = urlsplit(uri)
    encoded = urlencode({k: v for k, v in parameters.items() if v is not None})
    if in_fragment:
        return urlunsplit(parts._replace(fragment=encoded))
    query = f"{parts.query}&{encoded}" if parts.query else encoded
    return urlunsplit(parts._replace(query=query))
