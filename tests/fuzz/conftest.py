"""The fuzz suite's stack: the whole stack with demo-app at /app/, and a signed-in session."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from native_stack.edge import LIFTED_SIGN_IN_LIMITS
from native_stack.stack import NativeStack, StackOptions
from tests.support.sign_in import session_cookies_of


@pytest.fixture(scope="session")
def fuzz_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[NativeStack]:
    """The stack on loopback; every fuzz request comes from 127.0.0.1, so the sign-in limit
    is lifted (or /login and the callback would mostly answer 429 and test nothing else)."""
    running = NativeStack(
        StackOptions(
            run_dir=tmp_path_factory.mktemp("fuzz-stack"),
            demo_app=True,
            nginx_env=dict(LIFTED_SIGN_IN_LIMITS),
        )
    )
    running.start()
    yield running
    running.stop()


@pytest.fixture(scope="session")
def fuzz_session_cookie(fuzz_stack: NativeStack) -> bytes:
    """A Cookie header of a session signed in as the first seeded user."""
    assert fuzz_stack.registration is not None
    username = fuzz_stack.registration.usernames[0]
    value = session_cookies_of(fuzz_stack.public_url, [username])[username]
    return b"signin_session=" + value.encode()
