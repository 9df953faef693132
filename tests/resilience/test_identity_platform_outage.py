"""The identity platform failing or unreachable: answers that say retry, never a 500, and
nobody signed out for it."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
import requests

from native_stack.stack import NativeStack, StackOptions
from tests.resilience.expired_tokens import make_access_tokens_expire
from tests.support.browser import Browser
from tests.support.emulator_control import EmulatorControl
from tests.support.sign_in import sign_in_through
from tests.support.stack_records import home_account_id_of

JSON = {"Accept": "application/json"}


def signed_in_browser(stack: NativeStack, browser: Browser, user_number: int = 0) -> Browser:
    assert stack.registration is not None
    sign_in_through(browser, stack.public_url, stack.registration.usernames[user_number])
    assert browser.get(stack.public_url + "/graph/me", headers=JSON).status_code == 200
    return browser


def assert_asked_to_retry_graph_call(answer: requests.Response) -> None:
    assert answer.status_code == 503, answer.text
    assert answer.headers["Retry-After"] == "5"
    error = answer.json()["error"]
    assert error["code"] == "identity_platform_unavailable"
    assert "login_url" not in error  # nothing is wrong with the sign-in itself


def assert_unreachable_page(answer: requests.Response) -> None:
    assert answer.status_code == 502, answer.text[:300]
    assert answer.headers["Content-Type"].startswith("text/html")
    assert "Microsoft sign-in is unreachable" in answer.text
    assert 'href="/login"' in answer.text


@pytest.fixture
def emulator(stack: NativeStack) -> Iterator[EmulatorControl]:
    with EmulatorControl(stack) as control:
        yield control


@pytest.mark.parametrize(("fault", "user_number"), [("unavailable", 1), ("throttle", 2)])
def test_a_refresh_the_identity_platform_refuses_for_now_asks_to_retry(
    stack: NativeStack, browser: Browser, emulator: EmulatorControl, fault: str, user_number: int
) -> None:
    signed_in_browser(stack, browser, user_number)
    make_access_tokens_expire(stack, home_account_id_of(stack, browser))
    emulator.add_fault(type=fault, endpoints=["token"], retry_after=1)
    me = stack.public_url + "/graph/me"
    assert_asked_to_retry_graph_call(browser.get(me, headers=JSON))
    emulator.clear_faults()
    time.sleep(1.2)  # MSAL holds back the same request for the platform's Retry-After
    # The refresh token was not spent: the same sign-in refreshes once the platform answers.
    assert browser.get(me, headers=JSON).status_code == 200


def test_a_failing_token_endpoint_at_the_callback_gives_a_page_to_retry(
    stack: NativeStack, browser: Browser, emulator: EmulatorControl
) -> None:
    assert stack.registration is not None
    emulator.add_fault(type="unavailable", endpoints=["token"])
    sign_in_page = browser.get(stack.public_url + "/login")
    landed = browser.submit(sign_in_page, button=stack.registration.usernames[3])
    if 'value="accept"' in landed.text:
        landed = browser.submit(landed, button="accept")
    assert_unreachable_page(landed)
    emulator.clear_faults()
    assert browser.get(stack.public_url + "/graph/me", headers=JSON).status_code == 401


@pytest.fixture
def stack_whose_emulator_stops(tmp_path_factory: pytest.TempPathFactory) -> Iterator[NativeStack]:
    """A stack of its own: a stopped emulator forgets every token it issued."""
    running = NativeStack(StackOptions(run_dir=tmp_path_factory.mktemp("outage-stack")))
    running.start()
    yield running
    running.stop()


def test_with_the_identity_platform_unreachable_nothing_answers_500(
    stack_whose_emulator_stops: NativeStack, browser: Browser
) -> None:
    stack = stack_whose_emulator_stops
    signed_in_browser(stack, browser)
    make_access_tokens_expire(stack, home_account_id_of(stack, browser))
    stack.processes["emulator"].stop()
    # Fresh processes know nothing of the platform yet: each must reach it first.
    stack.start_service("auth-service")
    stack.start_service("graph-service")

    assert_asked_to_retry_graph_call(browser.get(stack.public_url + "/graph/me", headers=JSON))
    assert browser.get(stack.public_url + "/").status_code == 200
    assert "Sign out" in browser.get(stack.public_url + "/").text  # still signed in

    with Browser() as newcomer:
        assert_unreachable_page(newcomer.get(stack.public_url + "/login"))

    # Signing out ends the session here even though the platform's sign-out is out of reach.
    confirm = browser.get(stack.public_url + "/logout")
    signed_out = browser.submit(confirm, label="Sign out")
    assert signed_out.status_code == 200 and signed_out.url.rstrip("/") == stack.public_url
    assert browser.get(stack.public_url + "/graph/me", headers=JSON).status_code == 401
