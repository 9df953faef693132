"""A stack for the Graph gateway tests: a known allowlist and short retry deadlines."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from native_stack.edge import LIFTED_SIGN_IN_LIMITS
from native_stack.stack import NativeStack, StackOptions
from tests.support.browser import Browser
from tests.support.emulator_control import EmulatorControl
from tests.support.sign_in import sign_in_through

GATEWAY_ALLOWLIST = [
    {"path": "/me", "methods": ["GET"], "scopes": ["User.Read"]},
    {"path": "/me/photo/$value", "methods": ["GET"], "scopes": ["User.Read"]},
    {"path": "/users", "methods": ["GET"], "scopes": ["User.ReadBasic.All"]},
    {"path": "/users/{id}", "methods": ["GET"], "scopes": ["User.Read.All"]},
    {"path": "/users/{id}/photo/$value", "methods": ["GET"], "scopes": ["User.ReadBasic.All"]},
]


@pytest.fixture(scope="package")
def gateway_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[NativeStack]:
    """The whole stack with the gateway allowlist above and a 3-second retry deadline."""
    options = StackOptions(
        run_dir=tmp_path_factory.mktemp("gateway-stack"),
        graph_workers=1,
        nginx_env=dict(LIFTED_SIGN_IN_LIMITS),  # every test signs in, all from 127.0.0.1
        service_env={
            "GRAPH_ALLOWLIST": json.dumps(GATEWAY_ALLOWLIST),
            "GRAPH_RETRY_DEADLINE_SECONDS": "3",
            "GRAPH_MAX_RETRIES": "2",
            "GRAPH_MAX_PAGES": "3",
        },
    )
    running = NativeStack(options)
    running.start()
    yield running
    running.stop()


@pytest.fixture
def emulator(gateway_stack: NativeStack) -> Iterator[EmulatorControl]:
    """The gateway stack's emulator control API, with faults cleared after each test."""
    with EmulatorControl(gateway_stack) as control:
        yield control


@pytest.fixture
def signed_in(gateway_stack: NativeStack) -> Iterator[Browser]:
    """A browser signed in to the gateway stack as the first seeded user (who has a photo)."""
    assert gateway_stack.registration is not None
    client = Browser()
    sign_in_through(client, gateway_stack.public_url, gateway_stack.registration.usernames[0])
    client.http.headers["Accept"] = "application/json"
    yield client
    client.close()
