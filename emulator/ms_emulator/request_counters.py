"""Counting the requests received, per kind of endpoint, for tests to assert on."""

from __future__ import annotations

import threading
from collections import Counter
from typing import Any

ENDPOINT_KINDS = (
    "discovery",
    "instance_discovery",
    "authorize",
    "token",
    "jwks",
    "logout",
    "graph",
)


class RequestCounters:
    """Per-kind request counts (and token requests per grant type), guarded by a lock."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._kinds: Counter[str] = Counter()
        self._grant_types: Counter[str] = Counter()

    def count(self, kind: str, grant_type: str | None = None) -> None:
        """Record one request of kind (and, for the token endpoint, its grant type)."""
        with self._lock:
            self._kinds[kind] += 1
            if grant_type is not None:
                self._grant_types[grant_type or "(none)"] += 1

    def snapshot(self) -> dict[str, Any]:
        """Current counts; every kind is present, zero when unseen."""
        with self._lock:
            counts: dict[str, Any] = {kind: self._kinds[kind] for kind in ENDPOINT_KINDS}
            counts["token_by_grant_type"] = {
                grant: self._grant_types[grant]
                for grant in ("authorization_code", "refresh_token", "client_credentials")
            } | dict(self._grant_types)
        return counts

    def reset(self) -> None:
        """Set every count back to zero."""
        with self._lock:
            self._kinds.clear()
            self._grant_types.clear()
