"""Many concurrent Graph calls through two graph-service processes spend one refresh token once."""

from __future__ import annotations

import time

import pytest

from native_stack.stack import NativeStack
from signin_core.tokens.freshness import EXPIRY_MARGIN_SECONDS
from tests.support.browser import Browser
from tests.support.emulator_control import EmulatorControl
from tests.support.load import graph_me_all_at_once
from tests.support.sign_in import sign_in_through
from tests.support.stack_records import (
    SESSION_COOKIE,
    access_token_expiries,
    home_account_id_of,
    stack_token_caches,
)

CONCURRENT_REQUESTS = 20


def wait_until_access_token_is_stale(stack: NativeStack, home_account_id: str) -> None:
    """Sleep until MSAL would refresh rather than use the cached access token."""
    cache = stack_token_caches(stack).load(home_account_id).cache
    stale_at = max(access_token_expiries(cache)) - EXPIRY_MARGIN_SECONDS
    time.sleep(max(0.0, stale_at - time.time() + 0.3))


@pytest.mark.parametrize("round_number", [1, 2, 3])
def test_concurrent_calls_after_expiry_refresh_exactly_once(
    storage_stack: NativeStack, browser: Browser, round_number: int
) -> None:
    stack = storage_stack
    assert stack.registration is not None
    username = stack.registration.usernames[round_number]
    sign_in_through(browser, stack.public_url, username)
    assert browser.get(stack.public_url + "/graph/me").status_code == 200
    home_account_id = home_account_id_of(stack, browser)
    with EmulatorControl(stack) as control:
        wait_until_access_token_is_stale(stack, home_account_id)
        control.reset_counters()

        statuses = graph_me_all_at_once(
            stack.public_url,
            browser.http.cookies[SESSION_COOKIE],
            callers=CONCURRENT_REQUESTS,
            timeout_seconds=30,
        )

        assert statuses == [200] * CONCURRENT_REQUESTS
        assert control.counts()["token_by_grant_type"]["refresh_token"] == 1
        later = browser.get(stack.public_url + "/graph/me")
        assert later.status_code == 200, later.text
        assert later.json()["userPrincipalName"].lower() == username.lower()
        assert control.counts()["token_by_grant_type"]["refresh_token"] == 1
