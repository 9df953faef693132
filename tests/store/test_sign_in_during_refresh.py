"""A sign-in that lands while graph-service refreshes the same user's tokens loses neither's."""

from __future__ import annotations

import threading
import time

import msal
import requests

from native_stack.stack import NativeStack
from tests.store.conftest import NewUser
from tests.store.test_concurrent_refresh import wait_until_access_token_is_stale
from tests.support.browser import Browser
from tests.support.emulator_control import EmulatorControl
from tests.support.sign_in import sign_in_through
from tests.support.stack_records import SESSION_COOKIE, home_account_id_of, stack_token_caches

# The refresh is held at the token endpoint this long; the sign-in happens meanwhile.
REFRESH_LATENCY_MS = 3000


def access_tokens(stack: NativeStack, home_account_id: str) -> list[dict[str, str]]:
    """The stored access token entries of a user."""
    cache = stack_token_caches(stack).load(home_account_id).cache
    return list(cache.search(msal.TokenCache.CredentialType.ACCESS_TOKEN))


def wait_for_refresh_to_reach_emulator(control: EmulatorControl) -> None:
    """Return once the emulator holds graph-service's refresh request (delayed by its fault)."""
    deadline = time.monotonic() + 10
    while control.counts()["token_by_grant_type"].get("refresh_token", 0) < 1:
        assert time.monotonic() < deadline, "graph-service never asked for a refresh"
        time.sleep(0.02)


def test_a_sign_in_during_a_refresh_keeps_both_their_tokens(
    storage_stack: NativeStack, browser: Browser, new_user: NewUser
) -> None:
    stack = storage_stack
    user = new_user()
    sign_in_through(browser, stack.public_url, user.username)
    assert browser.get(stack.public_url + "/graph/me").status_code == 200
    home_account_id = home_account_id_of(stack, browser)
    [stale] = access_tokens(stack, home_account_id)
    with EmulatorControl(stack) as control:
        wait_until_access_token_is_stale(stack, home_account_id)
        control.reset_counters()
        control.add_fault(
            type="latency",
            endpoints=["token"],
            user=user.username,
            count=1,
            latency_ms=REFRESH_LATENCY_MS,
        )
        outcome: dict[str, int] = {}

        def graph_call() -> None:
            with requests.Session() as http:
                http.trust_env = False
                http.cookies.set(SESSION_COOKIE, browser.http.cookies[SESSION_COOKIE])
                answer = http.get(
                    stack.public_url + "/graph/me", headers={"Accept": "application/json"}
                )
                outcome["status"] = answer.status_code

        refreshing = threading.Thread(target=graph_call)
        refreshing.start()
        wait_for_refresh_to_reach_emulator(control)
        # Another device signs the same user in, asking for one more scope: its access token
        # has a target of its own, so the record can hold both services' access tokens.
        with Browser() as second_device:
            sign_in_through(second_device, stack.public_url, user.username, "/login?scopes=email")
        refreshing.join(timeout=30)
        assert outcome == {"status": 200}
        assert control.counts()["token_by_grant_type"]["refresh_token"] == 1

    stored = access_tokens(stack, home_account_id)
    from_sign_in = [entry for entry in stored if "email" in entry["target"].split()]
    from_refresh = [entry for entry in stored if "email" not in entry["target"].split()]
    assert len(from_sign_in) == 1, "the sign-in's access token was lost"
    assert len(from_refresh) == 1
    assert from_refresh[0]["secret"] != stale["secret"], "the refreshed access token was lost"
    assert int(from_refresh[0]["expires_on"]) > int(stale["expires_on"])
