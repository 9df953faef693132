"""Injected faults: throttling (429), unavailability (503) and added latency."""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import asdict, dataclass, replace
from typing import Any

FAULT_TYPES = {"throttle": 429, "unavailable": 503, "latency": None}
FAULT_ENDPOINTS = ("graph", "token", "authorize", "discovery", "jwks", "all")


@dataclass(frozen=True)
class FaultRule:
    """One fault: what to do, where, for whom, and how many more times."""

    type: str
    endpoints: tuple[str, ...] = ("graph",)
    user: str | None = None
    retry_after: str = "1"
    latency_ms: int = 0
    remaining: int | None = None

    @property
    def status(self) -> int | None:
        """The HTTP status this fault answers with (None for pure latency)."""
        return FAULT_TYPES[self.type]

    def describe(self) -> dict[str, Any]:
        """A JSON-friendly view."""
        return asdict(self)


def fault_from_request(body: Mapping[str, Any]) -> FaultRule:
    """Validate a control-API fault description."""
    kind = str(body.get("type", ""))
    if kind not in FAULT_TYPES:
        raise ValueError(f"type must be one of {sorted(FAULT_TYPES)}")
    endpoints = body.get("endpoints", ["graph"])
    if isinstance(endpoints, str):
        endpoints = [endpoints]
    if not endpoints or any(e not in FAULT_ENDPOINTS for e in endpoints):
        raise ValueError(f"endpoints must be a list drawn from {list(FAULT_ENDPOINTS)}")
    count = body.get("count")
    if count is not None and (not isinstance(count, int) or count < 1):
        raise ValueError("count must be a positive integer")
    retry_after = body.get("retry_after", 1)
    if not isinstance(retry_after, int | float | str) or float(retry_after) < 0:
        raise ValueError("retry_after must be a non-negative number")
    return FaultRule(
        type=kind,
        endpoints=tuple(endpoints),
        user=str(body["user"]).lower() if body.get("user") else None,
        retry_after=str(retry_after),
        latency_ms=int(body.get("latency_ms", 0)),
        remaining=count,
    )


class FaultInjector:
    """The active fault rules, guarded by a lock."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._rules: list[FaultRule] = []

    def add(self, rule: FaultRule) -> None:
        """Activate a rule."""
        with self._lock:
            self._rules.append(rule)

    def clear(self) -> None:
        """Remove every rule."""
        with self._lock:
            self._rules.clear()

    def rules(self) -> list[FaultRule]:
        """The active rules."""
        with self._lock:
            return list(self._rules)

    def take(self, endpoint: str, user: str | None) -> list[FaultRule]:
        """Rules that apply to this request, spending one use of each counted rule.

        With user=None only rules for everyone match; with a user only that user's rules.
        """
        wanted = user.lower() if user else None
        matched: list[FaultRule] = []
        with self._lock:
            kept: list[FaultRule] = []
            for rule in self._rules:
                applies = rule.user == wanted and (
                    endpoint in rule.endpoints or "all" in rule.endpoints
                )
                if applies:
                    matched.append(rule)
                    if rule.remaining is not None:
                        rule = replace(rule, remaining=rule.remaining - 1)
                if rule.remaining is None or rule.remaining > 0:
                    kept.append(rule)
            self._rules = kept
        return matched
