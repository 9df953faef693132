"""Signing out in one browser signs the user out in all of them, and what an old copy of Redis
holds for the user (a session, a token cache) is refused after that."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import redis

from native_stack.stack import NativeStack
from signin_core.store.keys import sign_in_key, token_cache_key
from tests.support.browser import Browser
from tests.support.session_check_cache import REVOCATION_DELAY_SECONDS, ask_until
from tests.support.sign_in import sign_in_through, sign_out_through
from tests.support.stack_records import SESSION_COOKIE, home_account_id_of, session_key_of

JSON = {"Accept": "application/json"}


@pytest.fixture
def two_browsers(stack: NativeStack) -> Iterator[tuple[Browser, Browser]]:
    """One user signed in twice: on a laptop and on a phone, say."""
    assert stack.registration is not None
    username = stack.registration.usernames[2]
    laptop, phone = Browser(), Browser()
    for browser in (laptop, phone):
        sign_in_through(browser, stack.public_url, username)
        assert browser.get(stack.public_url + "/graph/me", headers=JSON).status_code == 200
    yield laptop, phone
    laptop.close()
    phone.close()


def assert_signed_out(stack: NativeStack, browser: Browser) -> None:
    # Graph refuses at once: the token cache is gone. nginx may still keep the session's passed
    # check for a moment (docs/edge.md), so the check's own refusal comes within that delay.
    asked = ask_until(
        lambda: browser.get(stack.public_url + "/graph/me", headers=JSON),
        lambda graph: (
            graph.status_code == 401 and graph.json()["error"]["code"] == "unauthenticated"
        ),
        within=REVOCATION_DELAY_SECONDS,
    )
    for graph in asked.answers:
        assert graph.status_code == 401, graph.text
    assert asked.answers[-1].json()["error"]["code"] == "unauthenticated"
    home = browser.get(stack.public_url + "/")
    assert "Sign in with Microsoft" in home.text
    app = browser.get(stack.public_url + "/users", allow_redirects=False)
    assert app.status_code == 302 and "/login" in app.headers["Location"]


def test_sign_out_in_one_browser_signs_the_user_out_in_the_others(
    stack: NativeStack, two_browsers: tuple[Browser, Browser], stack_redis: redis.Redis
) -> None:
    laptop, phone = two_browsers
    phone_session = session_key_of(stack, str(phone.http.cookies[SESSION_COOKIE]))

    sign_out_through(laptop, stack.public_url)

    assert_signed_out(stack, laptop)
    assert_signed_out(stack, phone)
    # The phone's record went at its first request after the sign-out.
    assert not stack_redis.exists(phone_session)


@pytest.fixture
def redis_admin(stack: NativeStack) -> Iterator[redis.Redis]:
    """The stack's Redis as its operator: DUMP and RESTORE, as a backup would."""
    client = stack.redis_client(admin=True)
    yield client
    client.close()


def test_a_session_and_token_cache_restored_from_an_old_copy_are_refused(
    stack: NativeStack, two_browsers: tuple[Browser, Browser], redis_admin: redis.Redis
) -> None:
    stack_redis = redis_admin
    assert stack.registration is not None
    laptop, phone = two_browsers
    user = home_account_id_of(stack, phone)
    session = session_key_of(stack, str(phone.http.cookies[SESSION_COOKIE]))
    cache = token_cache_key(stack.registration.client_id, user)
    old_copy = {key: stack_redis.dump(key) for key in (session, cache)}
    assert all(old_copy.values())

    sign_out_through(laptop, stack.public_url)
    for key, dumped in old_copy.items():
        stack_redis.restore(key, 0, dumped, replace=True)  # type: ignore[arg-type]
    assert_signed_out(stack, phone)

    # Signed in again, the user has a new sign-in; the old token cache restored over the new
    # one does not open with it, so no token of the old sign-in is ever used again.
    sign_in_through(laptop, stack.public_url, stack.registration.usernames[2])
    assert stack_redis.exists(sign_in_key(user))
    stack_redis.restore(cache, 0, old_copy[cache], replace=True)  # type: ignore[arg-type]
    graph = laptop.get(stack.public_url + "/graph/me", headers=JSON)
    assert graph.status_code == 401, graph.text
    assert graph.json()["error"]["code"] != "unauthenticated"  # signed in, asked to sign in again
