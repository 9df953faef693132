"""nginx keeps a session check's 200 for a few seconds: how long, and waiting a refusal out."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

from native_stack.edge import SITE_DEFAULTS

SESSION_CHECK_CACHE_SECONDS = float(SITE_DEFAULTS["SESSION_CHECK_CACHE_SECONDS"])
# nginx's cache counts whole seconds: an answer kept N s is served for up to N + 1 s.
REVOCATION_DELAY_SECONDS = SESSION_CHECK_CACHE_SECONDS + 1
POLL_SECONDS = 0.1
T = TypeVar("T")


@dataclass(frozen=True)
class Asked(Generic[T]):
    """Every answer ask() gave, in order, and how long the asking took."""

    answers: list[T]
    seconds: float


def ask_until(ask: Callable[[], T], done: Callable[[T], bool], *, within: float) -> Asked[T]:
    """Ask until an answer is done, or until within seconds have passed."""
    started = time.monotonic()
    answers = [ask()]
    while not done(answers[-1]) and time.monotonic() - started < within:
        time.sleep(POLL_SECONDS)
        answers.append(ask())
    return Asked(answers, time.monotonic() - started)


def refusal_of(status: Callable[[], int], *, refused: int = 401) -> Asked[int]:
    """The statuses a client got after its session ended, and how long until the refusal:
    status() asked until it answers refused, for at most the revocation delay and a second."""
    return ask_until(status, lambda answer: answer == refused, within=REVOCATION_DELAY_SECONDS + 1)


def refused_within_revocation_delay(status: Callable[[], int], *, refused: int = 401) -> bool:
    """Whether status() answers refused within the revocation delay (200 until then)."""
    refusal = refusal_of(status, refused=refused)
    return (
        refusal.answers[-1] == refused
        and set(refusal.answers[:-1]) <= {200}
        and refusal.seconds <= REVOCATION_DELAY_SECONDS
    )
