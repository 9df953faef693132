"""When a service is down, nginx answers with its own page (JSON for APIs) and the headers."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

import requests

from native_stack.stack import NativeStack
from tests.edge.edge_support import assert_security_headers, header_values, plain_client
from tests.support.browser import Browser

JSON = {"Accept": "application/json"}


@contextmanager
def stopped(stop: Callable[[], None], start: Callable[[], None]) -> Iterator[None]:
    stop()
    try:
        yield
    finally:
        start()


def assert_nginx_page(answer: requests.Response, status: int, title: str) -> None:
    assert answer.status_code == status, answer.text[:300]
    assert answer.headers["Content-Type"].startswith("text/html")
    assert f"<h1>{title}</h1>" in answer.text
    assert header_values(answer, "Retry-After") == ["5"]
    assert_security_headers(answer)


def test_protected_app_down(edge_stack: NativeStack, signed_in_browser: Browser) -> None:
    demo_app = edge_stack.processes["demo-app"]
    with stopped(demo_app.stop, edge_stack.start_demo_app):
        page = signed_in_browser.get(edge_stack.public_url + "/app/")
        assert_nginx_page(page, 502, "This service is not answering")
        api = signed_in_browser.get(edge_stack.public_url + "/app/", headers=JSON)
        assert api.status_code == 502
        assert api.json()["error"]["code"] == "bad_gateway"
        assert_security_headers(api)
    assert signed_in_browser.get(edge_stack.public_url + "/app/").status_code == 200


def test_auth_service_down(edge_stack: NativeStack) -> None:
    auth_service = edge_stack.processes["auth-service"]
    with (
        stopped(auth_service.stop, lambda: edge_stack.start_service("auth-service")),
        plain_client() as client,
    ):
        page = client.get(edge_stack.public_url + "/", timeout=10)
        assert_nginx_page(page, 502, "This service is not answering")
        # The page's styles are its own: nothing of it needs auth-service.
        assert "<style>" in page.text and 'rel="stylesheet"' not in page.text
        # Without auth-service nobody can vouch for a user: the check fails closed.
        graph = client.get(edge_stack.public_url + "/graph/me", timeout=10)
        assert graph.status_code == 500
        assert graph.json()["error"]["code"] == "sign_in_check_failed"
        # The 500's own advice, not that of the check's 502 before it.
        assert "sign-in check did not complete" in graph.json()["error"]["message"]
        assert_security_headers(graph)
        app = client.get(edge_stack.public_url + "/app/", allow_redirects=False, timeout=10)
        assert app.status_code == 500
        assert "<h1>We could not check your sign-in</h1>" in app.text
        assert_security_headers(app)
    with plain_client() as client:
        assert client.get(edge_stack.public_url + "/", timeout=10).status_code == 200


def test_session_store_down(edge_stack: NativeStack, signed_in_browser: Browser) -> None:
    with stopped(edge_stack.stop_redis, edge_stack.start_redis):
        # The app's session check cannot answer: auth-service says so, as for its own pages.
        app = signed_in_browser.get(edge_stack.public_url + "/app/")
        assert app.status_code == 503 and "Sign-in is briefly unavailable" in app.text
        assert int(app.headers["Retry-After"]) > 0
        assert_security_headers(app)
        graph = signed_in_browser.get(edge_stack.public_url + "/graph/me")
        assert graph.status_code == 503
        assert graph.json()["error"]["code"] == "store_unavailable"
        assert header_values(graph, "Retry-After") == ["5"]
        assert_security_headers(graph)
        home = signed_in_browser.get(edge_stack.public_url + "/")
        assert home.status_code == 503
        assert "Sign-in is briefly unavailable" in home.text
        assert_security_headers(home)
