"""Someone who can read every key and value in Redis still cannot act as any user.

Sessions live under a keyed hash of their id, every value is sealed, and nginx replaces any
identity a client sends; so nothing a copy of Redis holds works as a cookie or an identity.
"""

from __future__ import annotations

import base64
from collections.abc import Iterator

import pytest
import redis

from native_stack.stack import NativeStack
from tests.support.browser import Browser, plain_get
from tests.support.figures import Figures
from tests.support.sign_in import sign_in_through

COOKIE_NAMES = ("signin_session", "signin_session_flows", "__Host-signin_session")
IDENTITY_HEADERS = ("X-User-Assertion", "X-User-Id", "X-Client-Principal", "Authorization")


def everything_in(client: redis.Redis) -> dict[bytes, bytes]:
    """Every string key and its value: what a reader of Redis (or of a backup) sees."""
    found: dict[bytes, bytes] = {}
    for key in client.scan_iter(count=1000):
        value = client.get(key)
        if isinstance(value, bytes):
            found[key] = value
    return found


def candidates_from(contents: dict[bytes, bytes]) -> set[str]:
    """Every string a reader could try as a cookie or an identity, from names and values."""
    tried: set[str] = set()
    for key, value in contents.items():
        name = key.decode("utf-8", "replace")
        tried.add(name)
        tried.update(part for part in name.split(":") if part)
        tried.update(part.strip("{}") for part in name.split(":") if part)
        tried.add(base64.urlsafe_b64encode(value).rstrip(b"=").decode())
        tried.add(value.decode("latin-1").encode("ascii", "ignore").decode())
    return {
        text for text in tried if 0 < len(text) < 4000 and text.isascii() and text.isprintable()
    }


@pytest.fixture
def signed_in_users(stack: NativeStack) -> Iterator[list[Browser]]:
    """Two users signed in, each in a browser of their own (their sessions stay live)."""
    assert stack.registration is not None
    browsers = [Browser(), Browser()]
    for browser, username in zip(browsers, stack.registration.usernames[:2], strict=True):
        sign_in_through(browser, stack.public_url, username)
    yield browsers
    for browser in browsers:
        browser.close()


def test_no_key_or_value_in_redis_acts_as_a_user(
    stack: NativeStack, signed_in_users: list[Browser], stack_redis: redis.Redis, figures: Figures
) -> None:
    # The users are signed in, and their real cookies work.
    for browser in signed_in_users:
        assert browser.get(stack.public_url + "/graph/me").status_code == 200
    contents = everything_in(stack_redis)
    assert any(key.startswith(b"signin:session:") for key in contents)
    real_cookies = {cookie.value for b in signed_in_users for cookie in b.http.cookies}
    tried = candidates_from(contents)
    assert not tried & real_cookies, "a session id is readable in Redis"

    accepted = []
    for text in sorted(tried):
        for name in COOKIE_NAMES:
            answer = plain_get(stack.public_url + "/graph/me", {"Cookie": f"{name}={text}"})
            if answer.status_code != 401:
                accepted.append((name, text[:60], answer.status_code))
        headers = {header: text for header in IDENTITY_HEADERS}
        answer = plain_get(stack.public_url + "/graph/me", headers)
        if answer.status_code != 401:
            accepted.append(("headers", text[:60], answer.status_code))
    assert len(tried) > 10
    figures.add(
        f"Redis read access: {len(contents)} keys, {len(tried)} strings from their names and "
        f"values tried as {len(COOKIE_NAMES)} cookies and identity headers: "
        f"{len(accepted)} accepted"
    )
    assert accepted == []
