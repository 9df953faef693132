"""Front-channel logout through nginx: the URL the identity platform frames on its signed-out
page ends the sessions of that identity platform session, without our cookie, and never fails."""

from __future__ import annotations

import html
import re
from urllib.parse import urlencode

import pytest
import redis

from native_stack.stack import NativeStack
from signin_core.store.keys import identity_session_key
from tests.support.browser import Browser, plain_get
from tests.support.sign_in import signed_in_as
from tests.support.stack_records import session_record

JSON = {"Accept": "application/json"}
FRONT_CHANNEL = "/logout/frontchannel"


def framed_urls(page_html: str) -> list[str]:
    return [html.unescape(src) for src in re.findall(r'<iframe src="([^"]+)"', page_html)]


def emulator_sign_out(stack: NativeStack, browser: Browser) -> list[str]:
    """Sign browser out at the emulator as another app would; return what its page frames."""
    assert stack.registration is not None
    logout = f"{stack.public_url}/_emulator/{stack.registration.tenant_id}/oauth2/v2.0/logout"
    page = browser.get(logout)
    assert page.status_code == 200 and "You signed out of your account" in page.text
    return framed_urls(page.text)


def test_the_framed_url_ends_that_browsers_session_without_its_cookie(stack: NativeStack) -> None:
    assert stack.registration is not None
    usernames = stack.registration.usernames
    with (
        signed_in_as(stack.public_url, usernames[0]) as signing_out,
        signed_in_as(stack.public_url, usernames[0]) as same_user_elsewhere,
        signed_in_as(stack.public_url, usernames[1]) as someone_else,
    ):
        identity = session_record(stack, signing_out)["identity_session"]
        [framed] = emulator_sign_out(stack, signing_out)
        assert framed == f"{stack.public_url}{FRONT_CHANNEL}?" + urlencode(
            {"sid": identity["sid"], "iss": identity["iss"]}
        )
        # A cross-site iframe carries no SameSite=Lax cookie: the sid alone must do.
        answer = plain_get(framed)
        assert answer.status_code == 200 and "Signed out." in answer.text

        signed_out = signing_out.get(stack.public_url + "/graph/me", headers=JSON)
        assert signed_out.status_code == 401
        for browser in (same_user_elsewhere, someone_else):
            assert browser.get(stack.public_url + "/graph/me", headers=JSON).status_code == 200


def test_a_wrong_issuer_ends_nothing(stack: NativeStack) -> None:
    assert stack.registration is not None
    with signed_in_as(stack.public_url, stack.registration.usernames[3]) as browser:
        identity = session_record(stack, browser)["identity_session"]
        query = urlencode({"sid": identity["sid"], "iss": "https://evil.example/v2.0"})
        assert plain_get(f"{stack.public_url}{FRONT_CHANNEL}?{query}").status_code == 200
        assert browser.get(stack.public_url + "/graph/me", headers=JSON).status_code == 200


@pytest.mark.parametrize(
    "query",
    ["", "sid=", "sid=unknown-session", "sid=" + "x" * 5000, "sid=%00%ff", "iss=only"],
)
def test_it_answers_200_whatever_it_is_sent(stack: NativeStack, query: str) -> None:
    answer = plain_get(f"{stack.public_url}{FRONT_CHANNEL}?{query}")
    assert answer.status_code == 200 and "Signed out." in answer.text


def test_only_the_identity_platform_may_frame_it(stack: NativeStack) -> None:
    framable = plain_get(stack.public_url + FRONT_CHANNEL + "?sid=x")
    policy = framable.headers["Content-Security-Policy"]
    # On loopback the emulator's pages are ours (/_emulator/): its origin is ours.
    assert f"frame-ancestors {stack.public_url}" in policy
    assert "X-Frame-Options" not in framable.headers
    assert framable.headers["Cache-Control"] == "no-store"
    home = plain_get(stack.public_url + "/")
    assert home.headers["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in home.headers["Content-Security-Policy"]


def test_the_sid_is_stored_under_a_keyed_name(stack: NativeStack, stack_redis: redis.Redis) -> None:
    assert stack.registration is not None
    with signed_in_as(stack.public_url, stack.registration.usernames[4]) as browser:
        sid = session_record(stack, browser)["identity_session"]["sid"]
        assert not stack_redis.exists(identity_session_key(sid))
        names = [key.decode() for key in stack_redis.scan_iter("signin:identity-session:*")]
        assert names and all(sid not in name for name in names)
