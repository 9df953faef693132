"""A stack with two replicas of each service and durable Redis, and its signed-in users."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from native_stack.edge import LIFTED_SIGN_IN_LIMITS
from native_stack.stack import NativeStack, StackOptions
from tests.support.sign_in import session_cookies_of

USERS = 3


@pytest.fixture(scope="package")
def replicated_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[NativeStack]:
    """Two auth-service and two graph-service processes (one worker each), Redis with AOF."""
    options = StackOptions(
        run_dir=tmp_path_factory.mktemp("replicated-stack"),
        auth_service_processes=2,
        graph_service_processes=2,
        auth_workers=1,
        graph_workers=1,
        redis_appendonly=True,
        nginx_env=dict(LIFTED_SIGN_IN_LIMITS),  # users sign in under load, all from 127.0.0.1
    )
    running = NativeStack(options)
    running.start()
    yield running
    running.stop()


@pytest.fixture(scope="package")
def signed_in_cookies(replicated_stack: NativeStack) -> dict[str, str]:
    """Session cookies of USERS signed-in users, by username."""
    assert replicated_stack.registration is not None
    usernames = replicated_stack.registration.usernames[:USERS]
    return session_cookies_of(replicated_stack.public_url, usernames)
