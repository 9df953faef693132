"""Which paths of the app behind nginx need which app roles or groups, declared, not coded.

APP_ROUTE_POLICY (or APP_ROUTE_POLICY_FILE) holds JSON such as

    {"routes": [
        {"path": "/app/admin/", "roles": {"any_of": ["Admin"]}},
        {"path": "/app/finance/", "groups": {"all_of": ["<group object id>"]},
         "roles": {"any_of": ["Reader", "Admin"]}}
    ]}

A route may also ask for a stronger sign-in: `"auth_context": "c1"` (a Conditional Access
authentication context id, c1 to c99, which the ID token's `acrs` must carry) and/or
`"mfa": true` (the ID token's `amr` must hold "mfa"). A user who has the roles and groups but
not that sign-in is sent to sign in again with the claims request (step_up.py).

The longest `path` prefix that matches a request decides; a route naming both roles and
groups needs both; a path no route matches is open to every signed-in user. Paths are
compared as nginx routes them: percent-decoded, dot segments resolved, slashes merged, so
that `/app/%61dmin/` or `/app/x/../admin/` is `/app/admin/`.
"""

from __future__ import annotations

import json
import posixpath
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

CONDITION_KINDS = ("any_of", "all_of")
MULTIPLE_SLASHES = re.compile(r"/{2,}")
AUTH_CONTEXT_ID = re.compile(r"^c([1-9]|[1-9][0-9])$")
ROUTE_FIELDS = {"path", "roles", "groups", "auth_context", "mfa"}


@dataclass(frozen=True)
class Requirement:
    """What a route asks of one kind of membership: any one of these, or all of them."""

    kind: str
    values: frozenset[str]

    def met_by(self, held: Iterable[str]) -> bool:
        """Whether held (the user's roles or groups) satisfies it."""
        have = set(held)
        return bool(self.values & have) if self.kind == "any_of" else self.values <= have


@dataclass(frozen=True)
class RouteRule:
    """One route of the policy."""

    path: str
    roles: Requirement | None
    groups: Requirement | None
    auth_context: str | None = None
    mfa: bool = False

    def allows(self, roles: Iterable[str], groups: Iterable[str]) -> bool:
        """Whether a user with roles and groups may use the route."""
        return (self.roles is None or self.roles.met_by(roles)) and (
            self.groups is None or self.groups.met_by(groups)
        )

    def signed_in_strongly_enough(self, acrs: Iterable[str], amr: Iterable[str]) -> bool:
        """Whether a sign-in with these contexts (acrs) and methods (amr) meets the route's."""
        return (self.auth_context is None or self.auth_context in set(acrs)) and (
            not self.mfa or "mfa" in set(amr)
        )


@dataclass(frozen=True)
class Decision:
    """The policy's answer for one request: allowed, and the rule that decided (if any);
    step_up when the user may use the route but must sign in more strongly first."""

    allowed: bool
    rule: RouteRule | None
    step_up: bool = False


class RoutePolicy:
    """The routes of a policy, longest path first."""

    def __init__(self, rules: list[RouteRule]) -> None:
        self._rules = sorted(rules, key=lambda rule: len(rule.path), reverse=True)

    @classmethod
    def parse(cls, text: str | None) -> RoutePolicy:
        """The policy text declares (no text: no rules); ValueError saying what is wrong."""
        if not text or not text.strip():
            return cls([])
        try:
            document = json.loads(text)
        except ValueError as error:
            raise ValueError(f"is not JSON: {error}") from None
        routes = document.get("routes") if isinstance(document, dict) else None
        if not isinstance(routes, list):
            raise ValueError('must be a JSON object with a "routes" list')
        return cls([_rule(number, route) for number, route in enumerate(routes, start=1)])

    @property
    def rules(self) -> list[RouteRule]:
        """The rules, longest path first."""
        return list(self._rules)

    def decide(
        self,
        original_uri: str,
        roles: Iterable[str],
        groups: Iterable[str],
        *,
        acrs: Iterable[str] = (),
        amr: Iterable[str] = (),
    ) -> Decision:
        """May a user with roles and groups, signed in with acrs and amr, request original_uri
        (as the client sent it)?"""
        path = routed_path(original_uri)
        for rule in self._rules:
            if path.startswith(rule.path) or path + "/" == rule.path:
                if not rule.allows(roles, groups):
                    return Decision(False, rule)
                strong_enough = rule.signed_in_strongly_enough(acrs, amr)
                return Decision(strong_enough, rule, step_up=not strong_enough)
        return Decision(True, None)


def routed_path(original_uri: str) -> str:
    """The path nginx routes original_uri by: no query, decoded, dot segments and repeated
    slashes gone; a directory keeps its trailing slash."""
    # The request target is a path (origin-form): `//app/x` is no host, as urlsplit would say.
    path = unquote(original_uri.split("?", 1)[0].split("#", 1)[0], errors="replace") or "/"
    path = MULTIPLE_SLASHES.sub("/", path)
    trailing = path.endswith("/") or path.endswith("/.") or path.endswith("/..")
    normalized = posixpath.normpath(path)
    if not normalized.startswith("/"):
        normalized = "/" + normalized
    normalized = MULTIPLE_SLASHES.sub("/", normalized)  # normpath keeps a leading "//"
    if trailing and not normalized.endswith("/"):
        normalized += "/"
    return normalized


def _rule(number: int, route: Any) -> RouteRule:
    where = f"route {number}"
    if not isinstance(route, dict):
        raise ValueError(f"{where} must be an object")
    unknown = set(route) - ROUTE_FIELDS
    if unknown:
        raise ValueError(f"{where} has unknown fields: {', '.join(sorted(unknown))}")
    path = route.get("path")
    if not isinstance(path, str) or not path.startswith("/") or routed_path(path) != path:
        raise ValueError(f'{where} needs a "path" such as /app/admin/ (decoded, no dot segments)')
    roles = _requirement(f"{where} roles", route.get("roles"))
    groups = _requirement(f"{where} groups", route.get("groups"))
    auth_context = route.get("auth_context")
    if auth_context is not None and (
        not isinstance(auth_context, str) or not AUTH_CONTEXT_ID.match(auth_context)
    ):
        raise ValueError(f'{where} "auth_context" must be an authentication context id, c1 to c99')
    mfa = route.get("mfa", False)
    if not isinstance(mfa, bool):
        raise ValueError(f'{where} "mfa" must be true or false')
    if roles is None and groups is None and auth_context is None and not mfa:
        raise ValueError(f'{where} names none of "roles", "groups", "auth_context" or "mfa"')
    return RouteRule(path, roles, groups, auth_context, mfa)


def _requirement(where: str, condition: Any) -> Requirement | None:
    if condition is None:
        return None
    if not isinstance(condition, Mapping) or len(condition) != 1:
        raise ValueError(f'{where} must be {{"any_of": [...]}} or {{"all_of": [...]}}')
    ((kind, values),) = condition.items()
    if kind not in CONDITION_KINDS:
        raise ValueError(f'{where} must be {{"any_of": [...]}} or {{"all_of": [...]}}')
    if not isinstance(values, list) or not values or not all(isinstance(v, str) for v in values):
        raise ValueError(f"{where} {kind} must be a non-empty list of names")
    return Requirement(kind, frozenset(values))
