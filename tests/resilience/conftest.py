"""A stack with two replicas of each service and durable Redis, and a bounded load driver."""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import pytest
import requests

from native_stack.stack import NativeStack, StackOptions
from tests.support.browser import Browser
from tests.support.sign_in import sign_in_through

LOAD_THREADS = 6
USERS = 3


@pytest.fixture(scope="package")
def replicated_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[NativeStack]:
    """Two auth-service and two graph-service processes (one worker each), Redis with AOF."""
    options = StackOptions(
        run_dir=tmp_path_factory.mktemp("replicated-stack"),
        auth_service_processes=2,
        graph_service_processes=2,
        auth_workers=1,
        graph_workers=1,
        redis_appendonly=True,
    )
    running = NativeStack(options)
    running.start()
    yield running
    running.stop()


@pytest.fixture(scope="package")
def signed_in_cookies(replicated_stack: NativeStack) -> dict[str, str]:
    """Session cookies of USERS signed-in users, by username."""
    assert replicated_stack.registration is not None
    cookies = {}
    for username in replicated_stack.registration.usernames[:USERS]:
        browser = Browser()
        sign_in_through(browser, replicated_stack.public_url, username)
        cookies[username] = browser.http.cookies["signin_session"]
        browser.close()
    return cookies


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


def all_still_signed_in(stack: NativeStack, cookies: dict[str, str]) -> dict[str, int]:
    """GET /graph/me as every user; return the status per user."""
    statuses = {}
    for username, cookie in cookies.items():
        with requests.Session() as http:
            http.trust_env = False
            http.cookies.set("signin_session", cookie)
            statuses[username] = http.get(stack.public_url + "/graph/me", timeout=10).status_code
    return statuses
