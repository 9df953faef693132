"""Headless Chromium, driven by Playwright, against the whole stack with the demo app."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from native_stack.stack import NativeStack, StackOptions


@pytest.fixture(scope="session")
def browser_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[NativeStack]:
    """The stack with demo-app behind nginx at /app/."""
    running = NativeStack(
        StackOptions(run_dir=tmp_path_factory.mktemp("browser-stack"), demo_app=True)
    )
    running.start()
    yield running
    running.stop()
