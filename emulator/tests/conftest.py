"""Fixtures for the emulator tests: a real `python -m ms_emulator serve` process and helpers."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import msal
import pytest
import requests
from emulator_support import (
    CLIENT_ID,
    CLIENT_SECRET,
    TENANT_ID,
    EmulatorPagesClient,
    RunningEmulator,
    start_emulator,
    stop_emulator,
    trusting_session,
)


@pytest.fixture(scope="session")
def emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningEmulator]:
    """The shared emulator (default settings)."""
    running = start_emulator(tmp_path_factory.mktemp("emulator") / "state")
    yield running
    stop_emulator(running)


@pytest.fixture(scope="session")
def short_lived_emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningEmulator]:
    """A second emulator: access tokens live 2 s (forces refreshes), codes 1 s."""
    running = start_emulator(
        tmp_path_factory.mktemp("short") / "state",
        {"EMULATOR_ACCESS_TOKEN_LIFETIME": "2", "EMULATOR_AUTH_CODE_LIFETIME": "1"},
    )
    yield running
    stop_emulator(running)


@pytest.fixture(autouse=True)
def fresh_state(request: pytest.FixtureRequest) -> None:
    """Reset every emulator a test uses back to the seed before the test runs."""
    for name in ("emulator", "short_lived_emulator"):
        if name in request.fixturenames:
            request.getfixturevalue(name).control("POST", "reset")


@pytest.fixture
def make_browser() -> Iterator[Callable[[RunningEmulator], EmulatorPagesClient]]:
    """Open fresh browsers (closed at teardown) that trust a given emulator's CA."""
    opened: list[EmulatorPagesClient] = []

    def open_browser(server: RunningEmulator) -> EmulatorPagesClient:
        """Open a browser trusting server's CA."""
        opened.append(EmulatorPagesClient(server.ca_path))
        return opened[-1]

    yield open_browser
    for item in opened:
        item.close()


@pytest.fixture
def browser(
    emulator: RunningEmulator, make_browser: Callable[[RunningEmulator], EmulatorPagesClient]
) -> EmulatorPagesClient:
    """A fresh browser trusting the shared emulator's CA."""
    return make_browser(emulator)


@pytest.fixture
def make_msal_app(emulator: RunningEmulator) -> Iterator[Callable[..., msal.ClientApplication]]:
    """Build unmodified MSAL ConfidentialClientApplications against an emulator."""
    sessions: list[requests.Session] = []

    def build(target: RunningEmulator | None = None, **kwargs: Any) -> msal.ClientApplication:
        """An MSAL confidential client for target (default: the shared emulator)."""
        server = target or emulator
        client_id = kwargs.pop("client_id", CLIENT_ID)
        session = trusting_session(server.ca_path)
        sessions.append(session)
        options: dict[str, Any] = {
            "client_credential": CLIENT_SECRET,
            "authority": f"{server.url}/{TENANT_ID}",
            "instance_discovery": False,
            "http_client": session,
        } | kwargs
        return msal.ConfidentialClientApplication(client_id, **options)

    yield build
    for session in sessions:
        session.close()
