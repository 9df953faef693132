"""A bounded load on a running stack: a few clients for a few seconds, every answer counted."""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

import requests

LOAD_THREADS = 6


@dataclass
class LoadResult:
    """What a bounded load run saw."""

    statuses: Counter[int] = field(default_factory=Counter)
    errors: Counter[str] = field(default_factory=Counter)
    missing_retry_after: int = 0

    @property
    def total(self) -> int:
        """Requests sent."""
        return sum(self.statuses.values()) + sum(self.errors.values())

    @property
    def failed(self) -> int:
        """Requests that did not answer 200."""
        return self.total - self.statuses[200]

    def summary(self) -> str:
        """One line for the test output."""
        share = self.failed / self.total if self.total else 0.0
        return (
            f"{self.total} requests, {self.failed} failed ({share:.3%}); "
            f"statuses {dict(self.statuses)}, errors {dict(self.errors)}"
        )


def run_load(
    url: str,
    cookies: dict[str, str],
    *,
    seconds: float,
    during: Callable[[], None],
    start_after: float = 1.5,
) -> LoadResult:
    """GET url as every user from LOAD_THREADS threads for `seconds`, calling `during` meanwhile."""
    result = LoadResult()
    lock = threading.Lock()
    deadline = time.monotonic() + seconds
    users = list(cookies.values())

    def client(index: int) -> None:
        with requests.Session() as http:
            http.trust_env = False
            http.cookies.set("signin_session", users[index % len(users)])
            http.headers["Accept"] = "application/json"
            while time.monotonic() < deadline:
                try:
                    answer = http.get(url, timeout=10)
                    status, retry_after = answer.status_code, answer.headers.get("Retry-After")
                    answer.close()
                except requests.RequestException as error:
                    with lock:
                        result.errors[type(error).__name__] += 1
                    continue
                with lock:
                    result.statuses[status] += 1
                    if status in (429, 503) and not retry_after:
                        result.missing_retry_after += 1

    threads = [threading.Thread(target=client, args=(i,)) for i in range(LOAD_THREADS)]
    for thread in threads:
        thread.start()
    time.sleep(start_after)
    during()
    for thread in threads:
        thread.join()
    return result


def graph_me_as(public_url: str, cookie: str) -> requests.Response:
    """GET /graph/me with a session cookie, as an API client."""
    with requests.Session() as http:
        http.trust_env = False
        http.cookies.set("signin_session", cookie)
        return http.get(
            public_url + "/graph/me", headers={"Accept": "application/json"}, timeout=15
        )


def all_still_signed_in(public_url: str, cookies: dict[str, str]) -> dict[str, int]:
    """GET /graph/me as every user; return the status per user."""
    return {
        username: graph_me_as(public_url, cookie).status_code
        for username, cookie in cookies.items()
    }


def graph_me_all_at_once(
    public_url: str, cookie: str, *, callers: int, timeout_seconds: float
) -> list[int | str]:
    """GET /graph/me as one user from callers threads released at once; each one's outcome:
    200, another status with the start of its body, or the client's error."""
    start = threading.Barrier(callers)
    outcomes: list[int | str] = []
    guard = threading.Lock()

    def call() -> None:
        with requests.Session() as http:
            http.trust_env = False
            http.cookies.set("signin_session", cookie)
            start.wait(timeout=10)
            try:
                answer = http.get(
                    public_url + "/graph/me",
                    headers={"Accept": "application/json"},
                    timeout=timeout_seconds,
                )
                outcome: int | str = answer.status_code
                if answer.status_code != 200:
                    outcome = f"{answer.status_code} {answer.text[:120]}"
            except requests.RequestException as error:
                outcome = type(error).__name__
        with guard:
            outcomes.append(outcome)

    threads = [threading.Thread(target=call) for _ in range(callers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout_seconds + 15)
    return outcomes
