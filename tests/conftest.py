"""Fixtures that start the whole stack on loopback, and browser-like clients for it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import redis
import requests

from native_stack.edge import LIFTED_SIGN_IN_LIMITS
from native_stack.stack import NativeStack, StackOptions
from tests.support.browser import Browser
from tests.support.chromium import chromium, page, pytest_runtest_makereport
from tests.support.figures import Figures, SuiteTimes
from tests.support.sign_in import sign_in_through

# One Chromium for the whole run (Playwright's sync API allows one at a time), for the native
# and the container browser suites.
__all__ = ["chromium", "page", "pytest_runtest_makereport"]

FIGURES = pytest.StashKey[Figures]()
SUITE_TIMES = pytest.StashKey[SuiteTimes]()


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[NativeStack]:
    """The whole stack (redis, emulator, auth-service, graph-service, nginx) on loopback."""
    # Its tests sign in often, all from 127.0.0.1: above the documented per-address limit.
    running = NativeStack(
        StackOptions(
            run_dir=tmp_path_factory.mktemp("stack"), nginx_env=dict(LIFTED_SIGN_IN_LIMITS)
        )
    )
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


def pytest_configure(config: pytest.Config) -> None:
    """Start counting each suite's time and collecting the figures tests measure."""
    config.stash[FIGURES] = Figures()
    suite_times = SuiteTimes(Path(__file__).resolve().parent.parent)
    config.stash[SUITE_TIMES] = suite_times
    config.pluginmanager.register(suite_times, "suite-times")


@pytest.fixture(scope="session")
def figures(pytestconfig: pytest.Config) -> Figures:
    """Where a test puts a figure it measured (a time, a size, a rate) for the run's summary."""
    return pytestconfig.stash[FIGURES]


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Print the figures the tests measured and the time of each suite."""
    config = terminalreporter.config
    lines = config.stash[FIGURES].lines
    if lines:
        terminalreporter.section("figures")
        for line in lines:
            terminalreporter.write_line(line)
    terminalreporter.section("time per suite")
    for line in config.stash[SUITE_TIMES].lines():
        terminalreporter.write_line(line)
