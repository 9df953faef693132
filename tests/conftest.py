"""Fixtures that start the whole stack on loopback, and browser-like clients for it."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
import redis
import requests

from native_stack.stack import NativeStack, StackOptions
from tests.support.browser import Browser
from tests.support.sign_in import sign_in_through


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[NativeStack]:
    """The whole stack (redis, emulator, auth-service, graph-service, nginx) on loopback."""
    running = NativeStack(StackOptions(run_dir=tmp_path_factory.mktemp("stack")))
    running.start()
    yield running
    running.stop()


@pytest.fixture
def stack_redis(stack: NativeStack) -> Iterator[redis.Redis]:
    """A client of the stack's own redis-server, as the services' user."""
    client = stack.redis_client()
    yield client
    client.close()


@pytest.fixture
def browser() -> Iterator[Browser]:
    """A fresh browser-like client with no cookies."""
    client = Browser()
    yield client
    client.close()


SignIn = Callable[..., requests.Response]


@pytest.fixture
def sign_in(stack: NativeStack, browser: Browser) -> SignIn:
    """Sign browser in through nginx as a seeded user; return the page it lands on."""

    def perform(username: str | None = None) -> requests.Response:
        assert stack.registration is not None
        landed = sign_in_through(
            browser, stack.public_url, username or stack.registration.usernames[0]
        )
        assert landed.url.rstrip("/") == stack.public_url, landed.url
        return landed

    return perform
