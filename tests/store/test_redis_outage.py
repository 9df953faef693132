"""Redis down: services stay up, answer 503 with Retry-After, report not ready, and recover."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
import requests

from native_stack.stack import NativeStack
from signin_core.identity.assertions import HEADER_NAME, IdentityAssertions, SignedInUser
from tests.store.conftest import NewUser
from tests.support.browser import Browser
from tests.support.sign_in import sign_in_through
from tests.support.stack_records import home_account_id_of

JSON = {"Accept": "application/json"}
SLOWEST_ANSWER_SECONDS = 5.0


def plain_client() -> requests.Session:
    client = requests.Session()
    client.trust_env = False
    return client


def service_urls(stack: NativeStack) -> list[str]:
    ports = [stack.auth_port, *stack.graph_ports]
    return [f"http://127.0.0.1:{port}" for port in ports]


def service_pids(stack: NativeStack) -> dict[str, int]:
    return {
        name: process.popen.pid
        for name, process in stack.processes.items()
        if name != "redis" and process.popen is not None
    }


def assert_retry_later(answer: requests.Response, content_type: str) -> None:
    assert answer.status_code == 503, answer.text[:300]
    assert int(answer.headers["Retry-After"]) > 0
    assert answer.headers["Content-Type"].startswith(content_type), answer.headers
    assert answer.elapsed.total_seconds() < SLOWEST_ANSWER_SECONDS
    if content_type == "application/json":
        assert answer.json()["error"]["code"] == "store_unavailable"


@pytest.fixture
def redis_comes_back(storage_stack: NativeStack) -> Iterator[None]:
    """Whatever happens in the test, the stack's Redis runs again afterwards."""
    yield
    if not storage_stack.processes["redis"].is_running():
        storage_stack.start_redis()


def test_services_answer_503_while_redis_is_down_and_recover_without_restart(
    storage_stack: NativeStack, browser: Browser, new_user: NewUser, redis_comes_back: None
) -> None:
    stack = storage_stack
    user_in_directory = new_user()
    username = user_in_directory.username
    sign_in_through(browser, stack.public_url, username)
    assert browser.get(stack.public_url + "/graph/me").status_code == 200
    user = SignedInUser(home_of := home_account_id_of(stack, browser), "", "", "", "")
    assertion = IdentityAssertions(stack.identity_assertion_key).issue(user)
    pids_before = service_pids(stack)
    client = plain_client()

    stack.stop_redis()
    try:
        assert client.get(stack.public_url + "/healthz").status_code == 200
        for base in service_urls(stack):
            assert client.get(base + "/healthz").status_code == 200
            not_ready = client.get(base + "/readyz")
            assert not_ready.status_code == 503
            assert not_ready.json()["checks"] == {"redis": False}
            assert "Retry-After" in not_ready.headers

        assert_retry_later(browser.get(stack.public_url + "/"), "text/html")
        assert_retry_later(browser.get(stack.public_url + "/", headers=JSON), "application/json")
        assert_retry_later(browser.get(stack.public_url + "/graph/me"), "application/json")
        assert_retry_later(
            browser.get(stack.public_url + "/graph/me", headers=JSON), "application/json"
        )
        with Browser() as newcomer:
            # Starting a sign-in needs no store (the flow waits in the browser); completing
            # it does, and says to retry, not a 500.
            picker = newcomer.get(stack.public_url + "/login")
            assert picker.status_code == 200 and username in picker.text
            assert_retry_later(newcomer.submit(picker, button=username), "text/html")
        for port in stack.graph_ports:
            direct = client.get(
                f"http://127.0.0.1:{port}/graph/me", headers={HEADER_NAME: assertion, **JSON}
            )
            assert_retry_later(direct, "application/json")
    finally:
        stack.start_redis()

    deadline = time.monotonic() + 10
    while not all(client.get(base + "/readyz").status_code == 200 for base in service_urls(stack)):
        assert time.monotonic() < deadline, "services did not become ready again"
        time.sleep(0.1)
    home = browser.get(stack.public_url + "/")
    assert home.status_code == 200 and user_in_directory.display_name in home.text
    me = browser.get(stack.public_url + "/graph/me")
    assert me.status_code == 200, me.text
    assert me.json()["userPrincipalName"].lower() == username.lower()
    assert home_account_id_of(stack, browser) == home_of
    assert service_pids(stack) == pids_before
