"""Every /graph/ answer is the user's data: Cache-Control: no-store, through nginx and at the
service, for successes and errors alike."""

from __future__ import annotations

import pytest

from native_stack.stack import NativeStack
from tests.support.browser import Browser, plain_get

SIGNED_IN_ANSWERS = [
    ("GET", "/graph/me", 200),
    ("GET", "/graph/me/photo", 200),
    ("GET", "/graph/v1.0/users?$top=1", 200),
    ("GET", "/graph/users?$top=1000", 400),  # Graph's own error, relayed
    ("GET", "/graph/v1.0/groups", 403),
    ("GET", "/graph/v1.0/users/a%5cb", 400),
    ("GET", "/graph/nowhere", 404),
    ("DELETE", "/graph/me", 405),
]


@pytest.mark.parametrize(("method", "path", "status"), SIGNED_IN_ANSWERS)
def test_signed_in_answers_through_nginx_are_no_store(
    gateway_stack: NativeStack, signed_in: Browser, method: str, path: str, status: int
) -> None:
    answer = signed_in.http.request(method, gateway_stack.public_url + path, timeout=10)
    assert answer.status_code == status
    assert answer.headers.get("Cache-Control") == "no-store"


def test_a_batch_answer_through_nginx_is_no_store(
    gateway_stack: NativeStack, signed_in: Browser
) -> None:
    body = {"requests": [{"id": "1", "method": "GET", "url": "/me"}]}
    answer = signed_in.http.post(gateway_stack.public_url + "/graph/v1.0/$batch", json=body)
    assert answer.status_code == 200
    assert answer.headers.get("Cache-Control") == "no-store"


def test_not_signed_in_through_nginx_is_no_store(gateway_stack: NativeStack) -> None:
    answer = plain_get(gateway_stack.public_url + "/graph/me", {"Accept": "application/json"})
    assert answer.status_code == 401
    assert answer.headers.get("Cache-Control") == "no-store"


@pytest.mark.parametrize(("path", "status"), [("/graph/me", 401), ("/graph/nowhere", 404)])
def test_graph_service_itself_answers_no_store(
    gateway_stack: NativeStack, path: str, status: int
) -> None:
    answer = plain_get(f"http://127.0.0.1:{gateway_stack.graph_port}{path}")
    assert answer.status_code == status
    assert answer.json()["error"]["code"]
    assert answer.headers.get("Cache-Control") == "no-store"
