"""Tokens from the cache, consent and claims round trips, and Graph throttling."""

from __future__ import annotations

import json
import time
from urllib.parse import parse_qs, urlsplit

import msal

from native_stack.stack import NativeStack
from tests.support.browser import Browser
from tests.support.emulator_control import EmulatorControl
from tests.support.sign_in import sign_in_through
from tests.support.stack_records import home_account_id_of, stack_token_caches

IDENTITY_ENDPOINTS = ("discovery", "instance_discovery", "authorize", "token", "jwks")


def test_warm_graph_call_makes_no_identity_platform_request(
    gateway_stack: NativeStack, signed_in: Browser, emulator: EmulatorControl
) -> None:
    assert signed_in.get(gateway_stack.public_url + "/graph/me").status_code == 200
    emulator.reset_counters()
    for _ in range(5):
        assert signed_in.get(gateway_stack.public_url + "/graph/me").status_code == 200
    counts = emulator.counts()
    assert counts["graph"] == 5
    assert {kind: counts[kind] for kind in IDENTITY_ENDPOINTS} == dict.fromkeys(
        IDENTITY_ENDPOINTS, 0
    )


def test_a_record_changed_elsewhere_is_used_at_once_not_the_remembered_token(
    gateway_stack: NativeStack, signed_in: Browser
) -> None:
    url = gateway_stack.public_url + "/graph/me"
    assert signed_in.get(url).status_code == 200  # graph-service now remembers this token
    caches = stack_token_caches(gateway_stack)
    home_account_id = home_account_id_of(gateway_stack, signed_in)
    original = caches.load(home_account_id).cache
    state = json.loads(original.serialize())
    for entry in state["AccessToken"].values():
        entry["secret"] = "replaced-by-another-replica"  # Graph refuses this one
    replaced = msal.SerializableTokenCache()
    replaced.deserialize(json.dumps(state))
    caches.write(home_account_id, replaced)
    try:
        answer = signed_in.get(url)
        assert answer.status_code == 401, answer.text
        assert answer.json()["error"]["code"] == "InvalidAuthenticationToken"
    finally:
        caches.write(home_account_id, original)
    assert signed_in.get(url).status_code == 200


def test_throttling_is_retried_after_retry_after(
    gateway_stack: NativeStack, signed_in: Browser, emulator: EmulatorControl
) -> None:
    emulator.reset_counters()
    emulator.add_fault(type="throttle", endpoints=["graph"], count=1, retry_after="0.3")
    started = time.monotonic()
    answer = signed_in.get(gateway_stack.public_url + "/graph/me")
    assert answer.status_code == 200
    assert time.monotonic() - started >= 0.3
    assert emulator.counts()["graph"] == 2


def test_persistent_throttling_is_passed_on_with_retry_after(
    gateway_stack: NativeStack, signed_in: Browser, emulator: EmulatorControl
) -> None:
    emulator.reset_counters()
    emulator.add_fault(type="throttle", endpoints=["graph"], count=10, retry_after="0.2")
    answer = signed_in.get(gateway_stack.public_url + "/graph/me")
    assert answer.status_code == 429
    assert float(answer.headers["Retry-After"]) == 0.2
    assert answer.json()["error"]["code"] == "TooManyRequests"
    assert emulator.counts()["graph"] == 3  # one try and GRAPH_MAX_RETRIES=2 retries


def test_retry_after_beyond_the_deadline_is_passed_on_at_once(
    gateway_stack: NativeStack, signed_in: Browser, emulator: EmulatorControl
) -> None:
    emulator.add_fault(type="unavailable", endpoints=["graph"], count=1, retry_after="30")
    started = time.monotonic()
    answer = signed_in.get(gateway_stack.public_url + "/graph/me")
    assert answer.status_code == 503
    assert answer.headers["Retry-After"] == "30"
    assert time.monotonic() - started < 3


def test_consent_required_round_trip(gateway_stack: NativeStack) -> None:
    assert gateway_stack.registration is not None
    username = gateway_stack.registration.usernames[2]
    with Browser() as browser:
        sign_in_through(browser, gateway_stack.public_url, username)
        target = f"/graph/v1.0/users/{username}"
        refused = browser.get(gateway_stack.public_url + target)
        assert refused.status_code == 401
        error = refused.json()["error"]
        assert error["code"] == "consent_required"
        query = parse_qs(urlsplit(error["login_url"]).query)
        assert query["scopes"] == ["User.Read.All"] and query["next"] == [target]

        consent_page = browser.get(gateway_stack.public_url + error["login_url"])
        assert "User.Read.All" in consent_page.text
        landed = browser.submit(consent_page, button="accept")
        assert landed.status_code == 200
        assert urlsplit(landed.url).path == target
        assert landed.json()["userPrincipalName"] == username


def test_claims_challenge_round_trip(gateway_stack: NativeStack, emulator: EmulatorControl) -> None:
    assert gateway_stack.registration is not None
    username = gateway_stack.registration.usernames[3]
    with Browser() as browser:
        sign_in_through(browser, gateway_stack.public_url, username)
        assert browser.get(gateway_stack.public_url + "/graph/me").status_code == 200
        time.sleep(1.1)  # revocation takes effect for tokens issued before the current second
        emulator.revoke(username)
        challenged = browser.get(gateway_stack.public_url + "/graph/me")
        assert challenged.status_code == 401
        error = challenged.json()["error"]
        assert error["code"] == "claims_challenge"
        assert "claims=" in error["login_url"]

        sign_in_page = browser.get(gateway_stack.public_url + error["login_url"])
        landed = browser.submit(sign_in_page, button=username)
        assert landed.status_code == 200
        assert urlsplit(landed.url).path == "/graph/me"
        assert landed.json()["userPrincipalName"] == username
