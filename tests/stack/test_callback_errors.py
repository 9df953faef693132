"""Bad input at the sign-in callback gives a page with a way to retry, never a 500."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from native_stack.stack import NativeStack
from tests.support.browser import Browser
from tests.support.sign_in import callback_of


def start_log_in(browser: Browser, stack: NativeStack) -> str:
    """Begin a sign-in and return the state the app sent to the identity platform."""
    started = browser.get(stack.public_url + "/login", allow_redirects=False)
    assert started.status_code == 302
    return parse_qs(urlsplit(started.headers["Location"]).query)["state"][0]


def assert_retry_page(answer: requests.Response) -> None:
    assert answer.status_code == 400, answer.text[:300]
    assert answer.headers["Content-Type"].startswith("text/html")
    assert f"<code>{answer.headers['X-Request-Id']}</code>" in answer.text  # quotable id
    assert 'href="/login"' in answer.text
    assert "Traceback" not in answer.text


@pytest.mark.parametrize(
    ("query", "expected_message"),
    [
        ("", "expired or was already used"),
        ("?code=abc", "expired or was already used"),
        ("?code=abc&state=xyz", "expired or was already used"),
    ],
)
def test_callback_without_a_started_sign_in(
    stack: NativeStack, browser: Browser, query: str, expected_message: str
) -> None:
    answer = browser.get(stack.public_url + "/getAToken" + query)
    assert_retry_page(answer)
    assert expected_message in answer.text


def test_callback_with_wrong_state(stack: NativeStack, browser: Browser) -> None:
    start_log_in(browser, stack)
    answer = browser.get(stack.public_url + "/getAToken?code=abc&state=not-the-state")
    assert_retry_page(answer)
    assert "does not match" in answer.text


def test_callback_with_no_state_after_start(stack: NativeStack, browser: Browser) -> None:
    start_log_in(browser, stack)
    answer = browser.get(stack.public_url + "/getAToken?code=abc")
    assert_retry_page(answer)


def test_callback_with_access_denied(stack: NativeStack, browser: Browser) -> None:
    state = start_log_in(browser, stack)
    answer = browser.get(
        stack.public_url + "/getAToken",
        params={
            "error": "access_denied",
            "error_description": "AADSTS65004: User declined to consent to access the app.",
            "state": state,
        },
    )
    assert_retry_page(answer)
    assert "declined" in answer.text
    assert "AADSTS65004" in answer.text


def test_replayed_code_is_refused(stack: NativeStack, browser: Browser) -> None:
    assert stack.registration is not None
    sign_in_page = browser.get(stack.public_url + "/login")
    landed = browser.submit(sign_in_page, button=stack.registration.usernames[0])
    assert landed.status_code == 200
    callback, answer = callback_of(landed)
    assert_retry_page(browser.http.post(callback, data=answer, timeout=15))

    with Browser() as other_browser:
        assert_retry_page(other_browser.http.post(callback, data=answer, timeout=15))
        fresh_state = start_log_in(other_browser, stack)
        redeemed = other_browser.http.post(
            callback, data={"code": answer["code"], "state": fresh_state}, timeout=15
        )
        assert_retry_page(redeemed)
        assert "AADSTS" in redeemed.text
