"""examples/your-app, the README's app of your own, behind the stack: only signed-in users
reach it, and it greets them by the name nginx's headers give, with no sign-in code."""

from __future__ import annotations

import html
import subprocess
import sys
import time
from collections.abc import Iterator

import pytest
import requests

from native_stack.edge import LIFTED_SIGN_IN_LIMITS
from native_stack.ports import free_port
from native_stack.stack import REPO_ROOT, NativeStack, StackOptions
from tests.support.browser import Browser
from tests.support.sign_in import sign_in_through

JSON = {"Accept": "application/json"}


@pytest.fixture(scope="module")
def your_app_port() -> Iterator[int]:
    """examples/your-app/app.py under gunicorn, as its Dockerfile runs it, on a free port."""
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", "--workers", "1"]
        + ["--no-control-socket", "--chdir", str(REPO_ROOT / "examples/your-app")]
        + ["app:application"],
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if requests.get(f"http://127.0.0.1:{port}/healthz", timeout=1).ok:
                    break
            except requests.ConnectionError:
                time.sleep(0.1)
        else:
            raise AssertionError("examples/your-app did not answer /healthz")
        yield port
    finally:
        server.terminate()
        server.wait(timeout=10)


@pytest.fixture(scope="module")
def stack_with_your_app(
    tmp_path_factory: pytest.TempPathFactory, your_app_port: int
) -> Iterator[NativeStack]:
    """The stack with examples/your-app as nginx's APP_UPSTREAM, as its compose.yaml sets it."""
    running = NativeStack(
        StackOptions(
            run_dir=tmp_path_factory.mktemp("your-app"),
            nginx_env={**LIFTED_SIGN_IN_LIMITS, "APP_UPSTREAM": f"127.0.0.1:{your_app_port}"},
        )
    )
    running.start()
    yield running
    running.stop()


def test_a_visitor_without_a_session_is_sent_to_sign_in(stack_with_your_app: NativeStack) -> None:
    answer = requests.get(
        stack_with_your_app.public_url + "/app/", allow_redirects=False, timeout=10
    )
    assert answer.status_code == 302, answer.status_code
    assert answer.headers["Location"] == "/login?next=%2Fapp%2F", answer.headers["Location"]


def test_the_app_greets_the_signed_in_user_by_nginxs_headers(
    stack_with_your_app: NativeStack,
) -> None:
    url, registration = stack_with_your_app.public_url, stack_with_your_app.registration
    assert registration is not None
    with Browser() as browser:
        page = sign_in_through(browser, url, registration.usernames[0], path="/login?next=/app/")
        assert page.url == url + "/app/", page.url
        assert f"Hello, {html.escape(registration.display_names[0])}" in page.text
        user = browser.get(url + "/app/", headers=JSON).json()["user"]
    assert user["email"] == registration.usernames[0]
    assert user["id"] and user["tenant"]
