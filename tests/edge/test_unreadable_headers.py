"""Headers no upstream would read (control bytes, hundreds of them, a host name no DNS
allows) never turn into a 500: nginx refuses what it can itself, with its 400 page, and the
session check behind /graph/ and /app/ gets only what it needs, so it cannot fail on them."""

from __future__ import annotations

import pytest

from native_stack.stack import NativeStack
from tests.edge.raw_http import RawAnswer, raw_request
from tests.support.browser import Browser

PATHS = ["/graph/me", "/app/", "/"]
CONTROL_BYTES = ["\x01", "\x1b", "\x7f"]


def malformed_requests(session_cookie: str) -> dict[str, list[tuple[str, str]]]:
    """Header lists a fuzzer sends, each with the session cookie (or another) beside it."""
    cases: dict[str, list[tuple[str, str]]] = {}
    for byte in CONTROL_BYTES:
        code = f"{ord(byte):02x}"
        cases[f"cookie-before-{code}"] = [("Cookie", f"theme=a{byte}b; {session_cookie}")]
        cases[f"cookie-after-{code}"] = [("Cookie", f"{session_cookie}; theme=a{byte}b")]
        cases[f"accept-{code}"] = [("Cookie", session_cookie), ("Accept", f"text/html{byte}")]
        cases[f"user-agent-{code}"] = [("Cookie", session_cookie), ("User-Agent", f"x{byte}y")]
        cases[f"other-header-{code}"] = [("Cookie", session_cookie), ("X-Note", f"a{byte}b")]
    cases["session-value-with-control-byte"] = [("Cookie", session_cookie + "\x01")]
    cases["two-hundred-headers"] = [
        ("Cookie", session_cookie),
        *((f"X-Filler-{index}", "value") for index in range(200)),
    ]
    cases["long-dns-label-host"] = [("Host", "a" * 64 + ".example"), ("Cookie", session_cookie)]
    return cases


def send(stack: NativeStack, path: str, headers: list[tuple[str, str]]) -> RawAnswer:
    if not any(name == "Host" for name, _ in headers):
        headers = [("Host", f"127.0.0.1:{stack.public_port}"), *headers]
    return raw_request(stack.public_port, f"GET {path} HTTP/1.1", headers)


def assert_no_5xx(stack: NativeStack, session_cookie: str) -> None:
    failures = {}
    for path in PATHS:
        for case, headers in malformed_requests(session_cookie).items():
            answer = send(stack, path, headers)
            if answer.status >= 500:
                failures[f"{path} {case}"] = answer.status
    assert not failures, failures


def test_malformed_headers_without_a_session_never_get_a_5xx(edge_stack: NativeStack) -> None:
    assert_no_5xx(edge_stack, "signin_session=" + "n" * 43)


def test_malformed_headers_with_a_session_never_get_a_5xx(
    edge_stack: NativeStack, signed_in_browser: Browser
) -> None:
    session = signed_in_browser.http.cookies["signin_session"]
    assert_no_5xx(edge_stack, f"signin_session={session}")


@pytest.mark.parametrize("header", ["Cookie", "Accept", "User-Agent", "Content-Type", "Referer"])
def test_nginx_answers_a_control_byte_in_a_header_it_knows_with_its_400(
    edge_stack: NativeStack, header: str
) -> None:
    value = "a\x01b"
    graph = send(edge_stack, "/graph/me", [(header, value)])
    assert graph.status == 400
    assert graph.headers["Content-Type"].startswith("application/json")
    assert graph.json()["error"]["code"] == "bad_request"
    page = send(edge_stack, "/", [(header, value)])
    assert page.status == 400
    assert page.headers["Content-Type"].startswith("text/html")
    assert b"We could not read that request" in page.body


def test_graph_calls_pass_whatever_other_headers_the_browser_sends(
    edge_stack: NativeStack, signed_in_browser: Browser
) -> None:
    # graph-service gets only the headers it reads: a stray byte or two hundred headers in
    # the rest of the request change nothing.
    session = signed_in_browser.http.cookies["signin_session"]
    cases = malformed_requests(f"signin_session={session}")
    for case in ("other-header-01", "two-hundred-headers"):
        answer = send(edge_stack, "/graph/me", cases[case])
        assert answer.status == 200, (case, answer.status, answer.body[:300])
