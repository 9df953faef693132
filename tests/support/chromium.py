"""Headless Chromium for the browser suites: Debian's package driven by Playwright (never a
downloaded browser), one per session, and a fresh tab per test that fails the test on any
policy violation, script error or missing part of a page. Conftests import these fixtures."""

from __future__ import annotations

import re
import shutil
from collections.abc import Generator, Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, Page, Response, sync_playwright

from native_stack.stack import REPO_ROOT

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS_DIR = REPO_ROOT / "test-artifacts"
CALL_FAILED = pytest.StashKey[bool]()


def chromium_executable() -> str:
    """The system's Chromium (Debian's package); the suite never downloads a browser."""
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    assert found, "Chromium is not installed: sudo apt-get install -y chromium"
    return found


@pytest.fixture(scope="session")
def chromium() -> Iterator[Browser]:
    """One headless Chromium for the session."""
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=chromium_executable(), args=CHROMIUM_ARGS
        )
        yield launched
        launched.close()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """Remember whether the test body failed, for the screenshot below."""
    report = yield
    if report.when == "call":
        item.stash[CALL_FAILED] = report.failed
    return report


# A page part that may answer 404 by design: a user without a photo gets initials instead.
PARTS_THAT_MAY_BE_MISSING = ("/graph/me/photo",)


def _is_broken_part_of_page(response: Response) -> bool:
    """A stylesheet, script or image the page asked for that did not load."""
    if response.request.resource_type == "document" or response.status < 400:
        return False
    missing_by_design = urlsplit(response.url).path in PARTS_THAT_MAY_BE_MISSING
    return not (response.status == 404 and missing_by_design)


@pytest.fixture
def page(chromium: Browser, request: pytest.FixtureRequest) -> Iterator[Page]:
    """A fresh browser context and tab; a screenshot in test-artifacts/ if the test fails.

    Any Content-Security-Policy violation reported by Chromium, script error, or part of a
    page (stylesheet, script, image) that fails to load fails the test.
    """
    context = chromium.new_context(viewport={"width": 1100, "height": 800})
    context.set_default_timeout(15_000)
    tab = context.new_page()
    violations: list[str] = []
    tab.on(
        "console",
        lambda message: (
            violations.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    tab.on("pageerror", lambda error: violations.append(f"script error: {error}"))
    tab.on(
        "response",
        lambda response: (
            violations.append(f"{response.status} for {response.url}")
            if _is_broken_part_of_page(response)
            else None
        ),
    )
    yield tab
    if request.node.stash.get(CALL_FAILED, False):
        ARTIFACTS_DIR.mkdir(exist_ok=True)
        name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.nodeid)
        tab.screenshot(path=str(Path(ARTIFACTS_DIR, name + ".png")), full_page=True)
    context.close()
    assert not violations, violations
