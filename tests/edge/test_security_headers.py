"""Every response that leaves nginx carries the security headers: pages, redirects, JSON,
nginx's own errors and health check, and the development emulator's pages."""

from __future__ import annotations

import base64
import hashlib
import re

import pytest

from native_stack.stack import NativeStack
from tests.edge.edge_support import assert_security_headers, header_values, plain_client
from tests.support.browser import Browser

JSON = {"Accept": "application/json"}

ANONYMOUS_REQUESTS = [
    ("GET", "/", {}, 200),
    ("GET", "/healthz", {}, 200),
    ("GET", "/static/site.css", {}, 200),
    ("GET", "/static/users.js", {}, 200),
    ("GET", "/login", {}, 302),
    ("GET", "/users", {}, 302),
    ("GET", "/getAToken", {}, 400),
    ("GET", "/no-such-page", {}, 404),
    ("GET", "/_auth/check", {}, 404),
    ("GET", "/_auth/sign-in-required", {}, 404),
    ("GET", "/_edge/error.html", {}, 404),
    ("GET", "/graph/me", {}, 401),
    ("GET", "/graph/me", JSON, 401),
    ("POST", "/graph/v1.0/me/sendMail", JSON, 401),
    ("GET", "/app/", {}, 302),
    ("GET", "/app/reports?year=2026", JSON, 401),
    ("GET", "/logout", {}, 302),
    ("POST", "/logout", {}, 302),
    ("GET", "/_emulator/_control/users", {}, 404),
]


@pytest.mark.parametrize(
    ("method", "path", "headers", "status"),
    ANONYMOUS_REQUESTS,
    ids=[
        f"{method} {path} {'json' if headers else ''}"
        for method, path, headers, _ in ANONYMOUS_REQUESTS
    ],
)
def test_anonymous_responses_carry_the_headers(
    edge_stack: NativeStack, method: str, path: str, headers: dict[str, str], status: int
) -> None:
    with plain_client() as client:
        answer = client.request(
            method, edge_stack.public_url + path, headers=headers, allow_redirects=False, timeout=10
        )
    assert answer.status_code == status, answer.text[:300]
    assert_security_headers(answer)


def test_signed_in_pages_carry_the_headers_and_are_not_stored(
    edge_stack: NativeStack, signed_in_browser: Browser
) -> None:
    for path in ("/", "/users", "/logout", "/app/", "/app/deep/page?x=1"):
        answer = signed_in_browser.get(edge_stack.public_url + path)
        assert answer.status_code == 200, (path, answer.text[:300])
        assert_security_headers(answer)
        assert header_values(answer, "Cache-Control") == ["no-store"], path


def test_nginx_error_pages_are_html_for_browsers_and_json_for_apis(edge_stack: NativeStack) -> None:
    with plain_client() as client:
        page = client.get(edge_stack.public_url + "/_auth/check", timeout=10)
        assert page.status_code == 404
        assert page.headers["Content-Type"].startswith("text/html")
        assert "<h1>Page not found</h1>" in page.text
        # Its one <style> needs nothing from the server, and the policy allows it by its hash.
        style = re.search(r"<style>(.*?)</style>", page.text, re.DOTALL)
        assert style is not None, page.text
        digest = base64.b64encode(hashlib.sha256(style.group(1).encode()).digest()).decode()
        policy = page.headers["Content-Security-Policy"]
        assert f"style-src 'self' 'sha256-{digest}';" in policy, (digest, policy)
        assert 'rel="stylesheet"' not in page.text and "<script" not in page.text
        assert page.text.count("<style") == 1 and " style=" not in page.text
        assert header_values(page, "Cache-Control") == ["no-store"]
        api = client.get(edge_stack.public_url + "/_auth/check", headers=JSON, timeout=10)
        assert api.status_code == 404
        assert api.json()["error"]["code"] == "not_found"


def test_oversized_headers_get_nginx_s_page_with_the_headers(edge_stack: NativeStack) -> None:
    cookies = {f"c{index}": "x" * 4000 for index in range(12)}
    with plain_client() as client:
        answer = client.get(edge_stack.public_url + "/", cookies=cookies, timeout=10)
    assert answer.status_code == 400
    assert "Clear this site's cookies" in answer.text
    assert_security_headers(answer)


def test_large_cookies_still_pass(edge_stack: NativeStack) -> None:
    # Large but legitimate (under gunicorn's 8 KB limit per header line behind nginx).
    cookies = {f"c{index}": "x" * 3000 for index in range(2)}
    with plain_client() as client:
        answer = client.get(edge_stack.public_url + "/", cookies=cookies, timeout=10)
    assert answer.status_code == 200
    assert_security_headers(answer)


@pytest.mark.parametrize(
    ("path", "accept", "content_type"),
    [
        ("/logout", "text/html", "text/html"),
        ("/graph/v1.0/me/sendMail", "application/json", "application/json"),
    ],
)
def test_oversized_bodies_are_refused_with_the_headers(
    edge_stack: NativeStack, path: str, accept: str, content_type: str
) -> None:
    with plain_client() as client:
        answer = client.post(
            edge_stack.public_url + path,
            data=b"x" * (2 * 1024 * 1024),
            headers={"Accept": accept, "Content-Type": "application/octet-stream"},
            timeout=10,
        )
    assert answer.status_code == 413
    assert answer.headers["Content-Type"].startswith(content_type)
    assert_security_headers(answer)


def test_emulator_pages_get_a_policy_relaxed_only_for_their_inline_styles(
    edge_stack: NativeStack, browser: Browser
) -> None:
    sign_in_page = browser.get(edge_stack.public_url + "/login")
    assert "/_emulator/" in sign_in_page.url
    assert_security_headers(sign_in_page)
    (policy,) = header_values(sign_in_page, "Content-Security-Policy")
    assert "style-src 'self' 'unsafe-inline'" in policy
    assert "script-src 'self';" in policy
