"""Which Graph paths the pass-through may call, with which methods and delegated scopes."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

SEGMENT_PLACEHOLDER = re.compile(r"^\{[A-Za-z_][A-Za-z0-9_]*\}$")
DEFAULT_ALLOWLIST: list[dict[str, Any]] = [
    {"path": "/me", "methods": ["GET"], "scopes": ["User.Read"]},
    {"path": "/me/photo/$value", "methods": ["GET"], "scopes": ["User.Read"]},
    {"path": "/users", "methods": ["GET"], "scopes": ["User.ReadBasic.All"]},
    {"path": "/users/{id}", "methods": ["GET"], "scopes": ["User.ReadBasic.All"]},
    {"path": "/users/{id}/photo/$value", "methods": ["GET"], "scopes": ["User.ReadBasic.All"]},
]


@dataclass(frozen=True)
class AllowedRoute:
    """One allowlisted Graph path pattern; `{name}` stands for exactly one path segment."""

    pattern: str
    methods: frozenset[str]
    scopes: tuple[str, ...]

    def matches(self, method: str, path: str) -> bool:
        """True if method and path (no query) fit this route."""
        if method.upper() not in self.methods:
            return False
        wanted = self.pattern.strip("/").split("/")
        given = path.strip("/").split("/")
        if len(wanted) != len(given):
            return False
        return all(
            bool(part) and (SEGMENT_PLACEHOLDER.match(rule) is not None or rule == part)
            for rule, part in zip(wanted, given, strict=True)
        )


class GraphAllowlist:
    """The configured routes; the first route that matches decides the scopes."""

    def __init__(self, routes: list[AllowedRoute]) -> None:
        self.routes = routes

    def route_for(self, method: str, path: str) -> AllowedRoute | None:
        """Return the route allowing method on path, or None."""
        return next((route for route in self.routes if route.matches(method, path)), None)


def parse_allowlist(text: str | None) -> GraphAllowlist:
    """Build the allowlist from JSON text (a list of {path, methods, scopes}); None: defaults."""
    entries = DEFAULT_ALLOWLIST if not text else json.loads(text)
    if not isinstance(entries, list) or not entries:
        raise ValueError("must be a non-empty JSON list of {path, methods, scopes}")
    routes = []
    for entry in entries:
        if not isinstance(entry, dict):
            raise ValueError("each entry must be an object with path, methods and scopes")
        path, methods, scopes = entry.get("path"), entry.get("methods"), entry.get("scopes")
        if not isinstance(path, str) or not path.startswith("/") or "//" in path or ".." in path:
            raise ValueError(f"bad path {path!r}: must start with / and hold no // or ..")
        if not isinstance(methods, list) or not methods:
            raise ValueError(f"{path}: methods must be a non-empty list")
        if not isinstance(scopes, list) or not all(isinstance(s, str) for s in scopes):
            raise ValueError(f"{path}: scopes must be a list of delegated permission names")
        routes.append(AllowedRoute(path, frozenset(str(m).upper() for m in methods), tuple(scopes)))
    return GraphAllowlist(routes)
