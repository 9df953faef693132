"""`/login?next=...` through nginx: after signing in, the browser lands only on our paths."""

from __future__ import annotations

import pytest

from native_stack.stack import NativeStack
from tests.edge.edge_support import send_from
from tests.library.test_redirect_targets import REFUSED
from tests.support.browser import Browser

TARGETS = [target for target in REFUSED if target]


def sign_in_with_next(stack: NativeStack, browser: Browser, target: str) -> str:
    """Sign in from /login?next=target; return where the browser ends up.

    The emulator remembers the browser after the first sign-in and returns at once, as
    Microsoft's sign-in does; only the first time is there an account to pick.
    """
    assert stack.registration is not None
    landed = browser.get(stack.public_url + "/login", params={"next": target})
    assert landed.status_code == 200, landed.text[:300]
    if 'name="username"' in landed.text:
        landed = browser.submit(landed, button=stack.registration.usernames[0])
    if 'value="accept"' in landed.text:
        landed = browser.submit(landed, button="accept")
    assert landed.status_code == 200, landed.text[:300]
    return landed.url


def test_every_refused_target_lands_on_the_home_page(
    edge_stack: NativeStack, browser: Browser
) -> None:
    wrong = {}
    for index, target in enumerate(TARGETS):
        # Each sign-in from its own loopback address: nginx limits sign-ins per address, and
        # this many back to back would trip the limit on a fast machine.
        send_from(browser.http, f"127.0.10.{index + 1}")
        landed = sign_in_with_next(edge_stack, browser, target)
        if landed != edge_stack.public_url + "/":
            wrong[target] = landed
    assert not wrong, wrong


@pytest.mark.parametrize("target", ["/users", "/app/reports?year=2026&q=a%20b"])
def test_a_plain_path_is_where_the_browser_lands(
    edge_stack: NativeStack, browser: Browser, target: str
) -> None:
    assert sign_in_with_next(edge_stack, browser, target) == edge_stack.public_url + target
