"""nginx keeps a session check's 200 for SESSION_CHECK_CACHE_SECONDS: a warm session costs
auth-service one check per that long, another user never gets it, and a session signed out
elsewhere is refused within that long and a second (nginx counts whole seconds)."""

from __future__ import annotations

import json
import time
import uuid

import pytest
import requests

from native_stack.stack import NativeStack
from signin_core.identity.assertions import IdentityAssertions
from tests.edge.conftest import StandIns, StartLoneEdge
from tests.support.browser import Browser
from tests.support.session_check_cache import (
    REVOCATION_DELAY_SECONDS,
    SESSION_CHECK_CACHE_SECONDS,
    refusal_of,
)
from tests.support.sign_in import sign_in_through, sign_out_through

JSON = {"Accept": "application/json"}
CALLS = 10


def probed_headers(stack: NativeStack, browser: Browser, path: str) -> dict[str, str]:
    """What nginx forwarded to the header probe behind /graph/ for one call."""
    answer = browser.get(stack.public_url + path, headers=JSON)
    assert answer.status_code == 200, answer.text[:300]
    headers: dict[str, str] = answer.json()["headers"]
    return headers


def checks_answered(stack: NativeStack, request_ids: set[str]) -> int:
    """How many session checks auth-service answered for these requests (its log's lines)."""
    lines = (stack.run_dir / "logs" / "auth-service.log").read_text().splitlines()
    entries = [json.loads(line) for line in lines if line.startswith("{")]
    return sum(
        1
        for entry in entries
        if entry.get("path") == "/_auth/check" and entry.get("request_id") in request_ids
    )


def test_a_warm_session_is_checked_once_per_cache_lifetime(
    edge_stack: NativeStack, signed_in_browser: Browser
) -> None:
    path = f"/graph/{uuid.uuid4().hex}"
    started = time.monotonic()
    request_ids = {
        probed_headers(edge_stack, signed_in_browser, path)["x-request-id"] for _ in range(CALLS)
    }
    elapsed = time.monotonic() - started
    assert len(request_ids) == CALLS
    time.sleep(0.2)  # auth-service writes its line after answering
    # One check, and one more for each cache lifetime the calls took.
    assert (
        1
        <= checks_answered(edge_stack, request_ids)
        <= 1 + int(elapsed // SESSION_CHECK_CACHE_SECONDS)
    )


def test_a_cached_check_is_never_another_users(edge_stack: NativeStack) -> None:
    assert edge_stack.registration is not None
    verify = IdentityAssertions(edge_stack.identity_assertion_key).verify
    path = f"/graph/{uuid.uuid4().hex}"
    with Browser() as first, Browser() as second:
        sign_in_through(first, edge_stack.public_url, edge_stack.registration.usernames[0])
        sign_in_through(second, edge_stack.public_url, edge_stack.registration.usernames[1])
        seen = {
            name: {
                verify(probed_headers(edge_stack, browser, path)["x-user-assertion"]).username
                for _ in range(3)
            }
            for name, browser in (("first", first), ("second", second), ("again", first))
        }
    assert seen["first"] == seen["again"] == {edge_stack.registration.usernames[0]}
    assert seen["second"] == {edge_stack.registration.usernames[1]}


def test_a_session_signed_out_elsewhere_is_refused_within_the_revocation_delay(
    edge_stack: NativeStack,
) -> None:
    assert edge_stack.registration is not None
    username = edge_stack.registration.usernames[0]
    path = f"/graph/{uuid.uuid4().hex}"
    with Browser() as laptop, Browser() as phone:
        sign_in_through(laptop, edge_stack.public_url, username)
        sign_in_through(phone, edge_stack.public_url, username)
        probed_headers(edge_stack, phone, path)  # the phone's check is now kept
        sign_out_through(laptop, edge_stack.public_url)  # signs the user out everywhere
        refusal = refusal_of(
            lambda: phone.get(edge_stack.public_url + path, headers=JSON).status_code
        )
        assert refusal.answers[-1] == 401, refusal
        assert set(refusal.answers[:-1]) <= {200}, refusal
        assert refusal.seconds <= REVOCATION_DELAY_SECONDS, refusal
        # ... and stays refused, whichever nginx worker answers.
        for _ in range(5):
            assert phone.get(edge_stack.public_url + path, headers=JSON).status_code == 401


@pytest.mark.parametrize(("cache_seconds", "checks"), [("0", CALLS), ("2", 1)])
def test_the_cache_lifetime_is_a_setting_and_zero_turns_it_off(
    lone_edge: StartLoneEdge, stand_ins: StandIns, cache_seconds: str, checks: int
) -> None:
    edge = lone_edge(SESSION_CHECK_CACHE_SECONDS=cache_seconds)
    path = f"/graph/{uuid.uuid4().hex}"
    cookie = {"Cookie": f"signin_session={uuid.uuid4().hex}{uuid.uuid4().hex[:11]}"}
    for _ in range(CALLS):
        assert requests.get(edge.url + path, headers=cookie, timeout=10).status_code == 200
    assert len(stand_ins.auth.session_checks_for(path)) == checks
    # A bearer token is checked every time, whatever the lifetime.
    bearer = {**cookie, "Authorization": "Bearer eyJ0eXAiOiJKV1QifQ.e30.c2lnbmF0dXJl"}
    bearer_path = f"/graph/{uuid.uuid4().hex}"
    for _ in range(3):
        requests.get(edge.url + bearer_path, headers=bearer, timeout=10)
    assert len(stand_ins.auth.session_checks_for(bearer_path)) == 3
