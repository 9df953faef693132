"""nginx keeps a session check's 200 for a few seconds: how long, and waiting a refusal out."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from native_stack.edge import SITE_DEFAULTS

SESSION_CHECK_CACHE_SECONDS = float(SITE_DEFAULTS["SESSION_CHECK_CACHE_SECONDS"])
# nginx's cache counts whole seconds: an answer kept N s is served for up to N + 1 s.
REVOCATION_DELAY_SECONDS = SESSION_CHECK_CACHE_SECONDS + 1
POLL_SECONDS = 0.1


@dataclass(frozen=True)
class Refusal:
    """The statuses a client got after its session ended, and how long until the refusal."""

    statuses: list[int]
    seconds: float


def refusal_of(status: Callable[[], int], *, refused: int = 401) -> Refusal:
    """Ask status() until it answers refused, for at most the revocation delay and a second."""
    started = time.monotonic()
    statuses = [status()]
    while statuses[-1] != refused and time.monotonic() - started < REVOCATION_DELAY_SECONDS + 1:
        time.sleep(POLL_SECONDS)
        statuses.append(status())
    return Refusal(statuses, time.monotonic() - started)


def refused_within_revocation_delay(status: Callable[[], int], *, refused: int = 401) -> bool:
    """Whether status() answers refused within the revocation delay (200 until then)."""
    refusal = refusal_of(status, refused=refused)
    return (
        refusal.statuses[-1] == refused
        and set(refusal.statuses[:-1]) <= {200}
        and refusal.seconds <= REVOCATION_DELAY_SECONDS
    )
