"""Browsers signing in: one, signed in for a benchmark's load, and complete sign-ins per second
(browsers signing in over and over, each time a new one)."""

from __future__ import annotations

import threading
import time

from tests.support.browser import Browser
from tests.support.sign_in import sign_in_through

JSON = {"Accept": "application/json"}
WARM_UP_CALLS = 20


def sign_ins_per_second(
    origin: str, usernames: list[str], first_call: str, seconds: float, clients: int
) -> float:
    """Complete sign-ins (authorize, callback, first Graph call) per second from clients
    browsers signing in over and over, each time a new browser."""
    completed = 0
    lock = threading.Lock()
    failures: list[BaseException] = []
    deadline = time.monotonic() + seconds

    def client_loop(index: int) -> None:
        nonlocal completed
        try:
            while time.monotonic() < deadline:
                with Browser() as browser:
                    sign_in_through(browser, origin, usernames[index % len(usernames)])
                    answer = browser.get(origin + first_call, headers=JSON)
                    assert answer.status_code == 200, answer.text[:300]
                with lock:
                    completed += 1
        except BaseException as error:  # a failed sign-in makes the figure meaningless
            failures.append(error)

    threads = [threading.Thread(target=client_loop, args=(i,)) for i in range(clients)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if failures:
        raise RuntimeError(f"{len(failures)} sign-in client(s) failed") from failures[0]
    return completed / (time.monotonic() - started)


def signed_in(
    origin: str, username: str, cookie: str, warm_path: str
) -> tuple[Browser, dict[str, str]]:
    """A browser signed in at origin, its session cookie as wrk's headers, after a few
    unmeasured calls of warm_path."""
    browser = Browser()
    sign_in_through(browser, origin, username)
    headers = {"Cookie": f"{cookie}={browser.http.cookies[cookie]}", **JSON}
    for _ in range(WARM_UP_CALLS):
        assert browser.get(origin + warm_path, headers=JSON).ok
    return browser, headers
