"""What Redis holds after sign-in and Graph calls: no token, name, e-mail or UPN in clear text."""

from __future__ import annotations

import redis

from native_stack.stack import NativeStack
from signin_core.store.record_cipher import FORMAT_VERSION
from tests.support.browser import Browser
from tests.support.sign_in import sign_in_through
from tests.support.stack_records import (
    home_account_id_of,
    session_record,
    stack_token_caches,
    token_secrets,
)

MIN_SECRET_FRAGMENT = 16


def everything_in_redis(client: redis.Redis) -> list[tuple[bytes, bytes]]:
    """Every key with its value (string keys; any other type is itself a finding)."""
    found = []
    for key in client.scan_iter(count=1000):
        kind = client.type(key)
        assert kind == b"string", f"unexpected {kind!r} at {key!r}"
        value = client.get(key)
        found.append((key, value or b""))
    return found


def fragments(secret: str) -> set[str]:
    """The token and each of its dot-separated parts long enough to be telling."""
    return {secret} | {part for part in secret.split(".") if len(part) >= MIN_SECRET_FRAGMENT}


def test_redis_holds_no_token_name_or_email_in_clear_text(
    storage_stack: NativeStack, browser: Browser, storage_redis: redis.Redis
) -> None:
    stack = storage_stack
    assert stack.registration is not None
    username = stack.registration.usernames[0]
    display_name = stack.registration.display_names[0]
    sign_in_through(browser, stack.public_url, username)
    for path in ("/graph/me", "/graph/users"):
        assert browser.get(stack.public_url + path).status_code == 200
    home_account_id = home_account_id_of(stack, browser)
    cache = stack_token_caches(stack).load(home_account_id).cache
    secrets = token_secrets(cache)
    assert len(secrets) >= 2  # access and refresh tokens were stored, encrypted
    user = session_record(stack, browser)["user"]
    assert user["username"].lower() == username.lower()

    local_part = username.split("@")[0]
    needles = {username, local_part, display_name, *display_name.split(), user["name"]}
    needles |= {fragment for secret in secrets for fragment in fragments(secret)}
    stored = everything_in_redis(storage_redis)
    assert any(home_account_id.encode() in key for key, _ in stored)
    for key, value in stored:
        for needle in needles:
            encoded = needle.lower().encode()
            assert encoded not in key.lower(), f"{needle!r} in key {key!r}"
            assert encoded not in value.lower(), f"{needle!r} in the value of {key!r}"
        if key.startswith(b"signin:session:") or b":tokencache:" in key:
            assert value.startswith(FORMAT_VERSION), f"not a sealed record at {key!r}"
        assert not value.lstrip().startswith((b"{", b"[")), f"JSON at {key!r}"
