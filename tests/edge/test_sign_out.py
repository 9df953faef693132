"""Sign-out is a POST carrying the session's CSRF token: it ends the local session, deletes
the token cache and signs out at the identity platform. Anything else changes nothing."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import pytest
import redis

from native_stack.stack import NativeStack
from signin_core.identity.assertions import IdentityAssertions
from signin_core.store.keys import token_cache_key
from tests.support.browser import Browser, forms_on
from tests.support.sign_in import sign_in_through
from tests.support.stack_records import session_key_of


@pytest.fixture
def edge_redis(edge_stack: NativeStack) -> Iterator[redis.Redis]:
    """A client of the edge stack's redis-server, as the services' user."""
    client = edge_stack.redis_client()
    yield client
    client.close()


def stored_keys(stack: NativeStack, browser: Browser) -> tuple[str, str]:
    """The Redis keys of browser's session and of its user's token cache."""
    assert stack.registration is not None
    probe = browser.get(stack.public_url + "/graph/me").json()["headers"]
    user = IdentityAssertions(stack.identity_assertion_key).verify(probe["x-user-assertion"])
    cookie = str(browser.http.cookies["signin_session"])
    return session_key_of(stack, cookie), token_cache_key(
        stack.registration.client_id, user.home_account_id
    )


def csrf_token_of(stack: NativeStack, browser: Browser) -> str:
    confirm = browser.get(stack.public_url + "/logout")
    (form,) = [form for form in forms_on(confirm.text) if form.method == "post"]
    return form.fields["csrf"]


def assert_still_signed_in(stack: NativeStack, browser: Browser, keys: tuple[str, str]) -> None:
    assert stack.registration is not None
    home = browser.get(stack.public_url + "/")
    assert stack.registration.display_names[0] in home.text
    whoami = browser.get(stack.public_url + "/app/", headers={"Accept": "application/json"})
    assert whoami.json()["user"]["name"] == stack.registration.display_names[0]
    with stack.redis_client() as client:
        assert all(client.exists(key) for key in keys), keys


def test_sign_out_ends_everything(
    edge_stack: NativeStack, signed_in_browser: Browser, edge_redis: redis.Redis
) -> None:
    browser = signed_in_browser
    keys = stored_keys(edge_stack, browser)
    assert all(edge_redis.exists(key) for key in keys)

    confirm = browser.get(edge_stack.public_url + "/logout")
    assert confirm.status_code == 200 and "Sign out?" in confirm.text
    landed = browser.submit(confirm, label="Sign out")

    assert landed.url == edge_stack.public_url + "/"
    assert "Sign in with Microsoft" in landed.text
    assert not any(edge_redis.exists(key) for key in keys)
    assert "signin_session" not in browser.http.cookies
    # It went through the identity platform's logout, which sent it back to us.
    logout = next(step for step in landed.history if "/oauth2/v2.0/logout" in step.url)
    query = parse_qs(urlsplit(logout.url).query)
    assert query["post_logout_redirect_uri"] == [edge_stack.public_url + "/"]
    # The identity platform forgot the browser too: signing in asks for an account again.
    assert 'name="username"' in browser.get(edge_stack.public_url + "/login").text
    assert browser.get(edge_stack.public_url + "/app/", allow_redirects=False).status_code == 302


def _other_session_token(stack: NativeStack) -> str:
    with Browser() as other:
        assert stack.registration is not None
        sign_in_through(other, stack.public_url, stack.registration.usernames[1])
        return csrf_token_of(stack, other)


@pytest.mark.parametrize(
    "token_kind", ["missing", "empty", "wrong", "another session's", "sent with GET"]
)
def test_sign_out_without_a_valid_csrf_token_does_nothing(
    edge_stack: NativeStack, signed_in_browser: Browser, token_kind: str
) -> None:
    browser = signed_in_browser
    keys = stored_keys(edge_stack, browser)
    url = edge_stack.public_url + "/logout"
    if token_kind == "sent with GET":
        answer = browser.get(url, params={"csrf": csrf_token_of(edge_stack, browser)})
        assert answer.status_code == 200 and "Sign out?" in answer.text
    else:
        data = {
            "missing": {},
            "empty": {"csrf": ""},
            "wrong": {"csrf": "x" * 43},
            "another session's": {"csrf": _other_session_token(edge_stack)},
        }[token_kind]
        answer = browser.http.post(url, data=data, timeout=10)
        assert answer.status_code == 400
        assert "nothing was done" in answer.text
        assert "/oauth2/v2.0/logout" not in answer.url
    assert_still_signed_in(edge_stack, browser, keys)
    # Still signed in at the identity platform as well: signing in again needs no click.
    assert 'name="username"' not in browser.get(edge_stack.public_url + "/login").text
