"""Sign-in and its callback are rate-limited per client address: 429 with Retry-After."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from native_stack.stack import NativeStack
from tests.edge.conftest import RATE_LIMITED_CLIENT
from tests.edge.edge_support import assert_security_headers, client_from, plain_client

ATTEMPTS = 200  # the edge stack allows 100/s with a burst of 40 per address


def hammer(stack: NativeStack, path: str, accept: str) -> list[requests.Response]:
    """Send ATTEMPTS requests at once from RATE_LIMITED_CLIENT, over 16 connections."""

    def attempt(client: requests.Session) -> requests.Response:
        return client.get(
            stack.public_url + path, headers={"Accept": accept}, allow_redirects=False, timeout=15
        )

    clients = [client_from(RATE_LIMITED_CLIENT) for _ in range(16)]
    try:
        with ThreadPoolExecutor(len(clients)) as pool:
            return list(pool.map(attempt, [clients[i % len(clients)] for i in range(ATTEMPTS)]))
    finally:
        for client in clients:
            client.close()


@pytest.mark.parametrize(
    ("path", "accept", "content_type"),
    [
        ("/getAToken", "text/html", "text/html"),
        ("/login", "application/json", "application/json"),
    ],
)
def test_too_many_sign_in_requests_get_429_with_retry_after(
    edge_stack: NativeStack, path: str, accept: str, content_type: str
) -> None:
    answers = hammer(edge_stack, path, accept)
    limited = [answer for answer in answers if answer.status_code == 429]
    assert len(limited) >= ATTEMPTS // 4, [answer.status_code for answer in answers]
    assert {answer.status_code for answer in answers} <= {429, 302, 400}
    refused = limited[0]
    assert refused.headers["Retry-After"] == "5"
    assert refused.headers["Content-Type"].startswith(content_type)
    assert "Too many sign-in attempts" in refused.text or "too_many_requests" in refused.text
    assert_security_headers(refused)


def test_the_limit_is_per_client_address(edge_stack: NativeStack) -> None:
    hammer(edge_stack, "/getAToken", "text/html")
    with plain_client() as client:
        answer = client.get(edge_stack.public_url + "/login", allow_redirects=False, timeout=10)
    assert answer.status_code == 302
