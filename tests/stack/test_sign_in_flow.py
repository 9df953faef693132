"""The walking skeleton end to end through nginx: sign in, call Graph, sign out."""

from __future__ import annotations

import base64
import json
import secrets
import time

import redis

from native_stack.stack import NativeStack
from tests.conftest import SignIn
from tests.support.browser import Browser
from tests.support.sign_in import sign_out_through
from tests.support.stack_records import session_key_of


def session_keys(client: redis.Redis) -> set[bytes]:
    return set(client.scan_iter("signin:session:*"))


def token_cache_keys(client: redis.Redis) -> set[bytes]:
    return set(client.scan_iter("signin:{user:*}:tokencache:*"))


def test_home_page_offers_sign_in(stack: NativeStack, browser: Browser) -> None:
    page = browser.get(stack.public_url + "/")
    assert page.status_code == 200
    assert 'href="/login"' in page.text


def test_sign_in_call_graph_and_sign_out(
    stack: NativeStack, browser: Browser, sign_in: SignIn, stack_redis: redis.Redis
) -> None:
    assert stack.registration is not None
    username = stack.registration.usernames[0]
    home = sign_in(username)
    assert "Welcome," in home.text

    me = browser.get(stack.public_url + "/graph/me", headers={"Accept": "application/json"})
    assert me.status_code == 200, me.text
    assert me.json()["userPrincipalName"].lower() == username.lower()

    users = browser.get(stack.public_url + "/graph/users")
    assert users.status_code == 200, users.text
    listed = {user["userPrincipalName"].lower() for user in users.json()["value"]}
    assert username.lower() in listed and len(listed) >= 2

    sign_out_through(browser, stack.public_url)
    after = browser.get(stack.public_url + "/graph/me")
    assert after.status_code == 401
    assert after.json()["error"]["code"] == "unauthenticated"


def test_session_and_token_cache_live_in_redis_and_go_at_sign_out(
    stack: NativeStack, browser: Browser, sign_in: SignIn, stack_redis: redis.Redis
) -> None:
    sessions_before = session_keys(stack_redis)
    caches_before = token_cache_keys(stack_redis)
    sign_in()
    new_sessions = session_keys(stack_redis) - sessions_before
    new_caches = token_cache_keys(stack_redis) - caches_before
    assert len(new_sessions) == 1
    cookie = browser.http.cookies.get("signin_session")
    assert cookie
    # Stored under a keyed hash of the id, never the id itself (test_redis_read_access.py).
    assert new_sessions == {session_key_of(stack, cookie).encode()}
    assert cookie not in new_sessions.copy().pop().decode()
    assert len(token_cache_keys(stack_redis)) >= 1
    cache_key = (new_caches or token_cache_keys(stack_redis)).pop()
    assert stack_redis.ttl(cache_key) > 0
    assert stack_redis.ttl(new_sessions.copy().pop()) > 0

    sign_out_through(browser, stack.public_url)
    assert not new_sessions & session_keys(stack_redis)
    assert cache_key not in token_cache_keys(stack_redis)


def test_graph_without_sign_in_is_401_json(stack: NativeStack, browser: Browser) -> None:
    for path in ("/graph/me", "/graph/users"):
        answer = browser.get(stack.public_url + path)
        assert answer.status_code == 401
        assert answer.headers["Content-Type"].startswith("application/json")
        assert answer.json()["error"]["code"] == "unauthenticated"


def test_large_cookies_and_long_login_links_reach_auth_service(
    stack: NativeStack, browser: Browser
) -> None:
    big_cookie = {"Cookie": "other_app_cookie=" + "x" * 12_000}
    assert browser.get(stack.public_url + "/", headers=big_cookie).status_code == 200
    long_next = "/" + "a" * 5_000
    started = browser.get(stack.public_url + "/login?next=" + long_next, allow_redirects=False)
    assert started.status_code == 302


def test_two_tabs_signing_in_at_once_both_end_signed_in(stack: NativeStack) -> None:
    assert stack.registration is not None
    username = stack.registration.usernames[3]
    with Browser() as browser:
        first_tab = browser.get(stack.public_url + "/login?next=/users")
        second_tab = browser.get(stack.public_url + "/login")
        # The second tab finishes first; the first, started earlier, still completes.
        second_landed = browser.submit(second_tab, button=username)
        assert second_landed.url == stack.public_url + "/", second_landed.text[:300]
        first_landed = browser.submit(first_tab, button=username)
        assert first_landed.status_code == 200, first_landed.text[:300]
        assert first_landed.url == stack.public_url + "/users"
        assert browser.get(stack.public_url + "/graph/me").status_code == 200


def test_a_visitor_who_starts_signing_in_writes_nothing_to_redis(
    stack: NativeStack, stack_redis: redis.Redis
) -> None:
    before = set(stack_redis.scan_iter("signin:*"))
    kept_by_visitors = []
    for _ in range(20):
        with Browser() as visitor:
            started = visitor.get(stack.public_url + "/login", allow_redirects=False)
            assert started.status_code == 302
            kept_by_visitors.extend(visitor.http.cookies)
    assert set(stack_redis.scan_iter("signin:*")) - before == set()
    # The sign-in in progress waits in the visitor's browser, for minutes.
    assert {cookie.name for cookie in kept_by_visitors} == {"signin_session_flows"}
    assert all(c.expires and c.expires - time.time() <= 600 for c in kept_by_visitors)


def test_a_sign_in_too_large_to_keep_in_the_browser_is_a_clear_400(
    stack: NativeStack, browser: Browser
) -> None:
    # The largest claims challenge and `next` path /login accepts, neither compressible.
    claims = json.dumps({"id_token": {"note": {"value": secrets.token_urlsafe(2270)}}})
    encoded = base64.urlsafe_b64encode(claims.encode()).rstrip(b"=").decode()
    assert len(encoded) <= 4096
    next_path = "/" + secrets.token_urlsafe(1530)[:2040]
    answer = browser.get(stack.public_url + "/login", params={"claims": encoded, "next": next_path})
    assert answer.status_code == 400, answer.text[:300]
    assert "more than a browser can keep" in answer.text
