"""Refresh under a slow identity platform: the token endpoint answers after 20 s, longer than
the refresh lock's lease, while callers spread over two graph-service replicas wait for it.
One refresh, every caller a token, nobody signed out."""

from __future__ import annotations

import time

import requests

from native_stack.stack import NativeStack
from tests.resilience.expired_tokens import make_access_tokens_expire
from tests.support.browser import Browser
from tests.support.emulator_control import EmulatorControl
from tests.support.figures import Figures
from tests.support.load import all_still_signed_in, graph_me_all_at_once, graph_me_as
from tests.support.sign_in import sign_in_through
from tests.support.stack_records import SESSION_COOKIE, home_account_id_of

TOKEN_ANSWER_AFTER_MS = 20_000
CALLERS = 12
# Under nginx's proxy_read_timeout (60 s): a caller still waiting then would get a 504.
CALLER_TIMEOUT_SECONDS = 58
USER_NUMBER = 3  # signed_in_cookies signs in the first three


def metric_sums(stack: NativeStack, process_name: str) -> dict[str, float]:
    """A graph-service process's requests served and refresh-lock outcomes, from /metrics."""
    port = stack.metrics_ports[process_name]
    with requests.Session() as http:
        http.trust_env = False
        text = http.get(f"http://127.0.0.1:{port}/metrics", timeout=5).text
    sums = {"requests": 0.0, "lock acquired": 0.0, "lock timeout": 0.0}
    for line in text.splitlines():
        name, _, value = line.rpartition(" ")
        if name.startswith("http_requests_total{"):
            sums["requests"] += float(value)
        elif name == 'refresh_lock_total{outcome="acquired"}':
            sums["lock acquired"] += float(value)
        elif name == 'refresh_lock_total{outcome="timeout"}':
            sums["lock timeout"] += float(value)
    return sums


def metrics_of_replicas(stack: NativeStack) -> dict[str, dict[str, float]]:
    """metric_sums of every graph-service process, by name."""
    return {name: metric_sums(stack, name) for name in stack.process_names("graph-service")}


def test_a_refresh_slower_than_the_lock_lease_is_made_once_and_serves_every_caller(
    replicated_stack: NativeStack, signed_in_cookies: dict[str, str], figures: Figures
) -> None:
    stack = replicated_stack
    assert stack.registration is not None
    username = stack.registration.usernames[USER_NUMBER]
    with Browser() as browser:
        sign_in_through(browser, stack.public_url, username)
        cookie = browser.http.cookies.get(SESSION_COOKIE)
        assert cookie and graph_me_as(stack.public_url, cookie).status_code == 200
        home_account_id = home_account_id_of(stack, browser)
    make_access_tokens_expire(stack, home_account_id)
    before = metrics_of_replicas(stack)

    with EmulatorControl(stack) as emulator:
        emulator.reset_counters()
        emulator.add_fault(
            type="latency", endpoints=["token"], user=username, latency_ms=TOKEN_ANSWER_AFTER_MS
        )
        started = time.monotonic()
        outcomes = graph_me_all_at_once(
            stack.public_url, cookie, callers=CALLERS, timeout_seconds=CALLER_TIMEOUT_SECONDS
        )
        seconds = time.monotonic() - started
        emulator.clear_faults()
        refresh_requests = emulator.counts()["token_by_grant_type"]["refresh_token"]
        spent = emulator.refresh_tokens_spent(username)

        after = metrics_of_replicas(stack)
        served = {name: after[name]["requests"] - before[name]["requests"] for name in after}
        lock_timeouts = sum(after[n]["lock timeout"] - before[n]["lock timeout"] for n in after)
        failed = sum(outcome != 200 for outcome in outcomes)
        figures.add(
            f"slow identity platform (token answers after {TOKEN_ANSWER_AFTER_MS / 1000:.0f} s): "
            f"{refresh_requests} refresh request(s), {spent['reused']} refresh token(s) spent "
            f"twice, {len(outcomes)} callers, {failed} failed, {seconds:.1f} s; "
            f"callers per replica {served}"
        )

        assert outcomes == [200] * CALLERS, outcomes
        assert refresh_requests == 1
        assert spent == {"redeemed": 1, "reused": 0}
        assert lock_timeouts == 0
        assert all(count > 0 for count in served.values()), served  # both replicas served

        # Nobody is signed out: this user's next call uses the stored token, and the users
        # signed in before are untouched.
        assert graph_me_as(stack.public_url, cookie).status_code == 200
        assert set(all_still_signed_in(stack.public_url, signed_in_cookies).values()) == {200}
        assert emulator.refresh_tokens_spent(username) == {"redeemed": 1, "reused": 0}
