"""A Redis restart with its append-only file loses no session and no token cache."""

from __future__ import annotations

import redis

from native_stack.stack import NativeStack
from tests.store.conftest import NewUser
from tests.support.browser import Browser
from tests.support.sign_in import sign_in_through

USERS = 3


def test_signed_in_users_call_graph_after_a_redis_restart(
    storage_stack: NativeStack, storage_redis: redis.Redis, new_user: NewUser
) -> None:
    stack = storage_stack
    assert stack.options.redis_appendonly
    browsers = {new_user().username: Browser() for _ in range(USERS)}
    try:
        for username, browser in browsers.items():
            sign_in_through(browser, stack.public_url, username)
            assert browser.get(stack.public_url + "/graph/me").status_code == 200
        keys_before = set(storage_redis.scan_iter(count=1000))
        pid_before = stack.processes["redis"].popen.pid  # type: ignore[union-attr]

        stack.stop_redis()
        stack.start_redis()

        assert stack.processes["redis"].popen.pid != pid_before  # type: ignore[union-attr]
        assert storage_redis.config_get("appendonly") == {"appendonly": "yes"}
        assert keys_before <= set(storage_redis.scan_iter(count=1000))
        for username, browser in browsers.items():
            me = browser.get(stack.public_url + "/graph/me")
            assert me.status_code == 200, me.text
            assert me.json()["userPrincipalName"].lower() == username.lower()
    finally:
        for browser in browsers.values():
            browser.close()
