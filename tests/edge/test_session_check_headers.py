"""auth-service's session checks carry a fixed list of headers, whatever the client sent:
the session cookie alone (and only when it is well-formed), Accept, the host, the original
URI, the request id and nginx's forwarded headers."""

from __future__ import annotations

import uuid

import pytest

from tests.edge.conftest import StandIns, StartLoneEdge
from tests.edge.raw_http import raw_request
from tests.edge.stand_ins import ProbedRequest

SESSION_ID = "AbC-_0123456789abcdefghijklmnopqrstuvwxyzAB"  # 43 URL-safe characters
CHECK_HEADERS = {
    "host",
    "cookie",
    "accept",
    "x-original-uri",
    "x-request-id",
    "x-forwarded-for",
    "x-forwarded-proto",
    "x-forwarded-host",
    "traceparent",  # nginx's, or a valid one of the client's (docs/tracing.md)
    "tracestate",
}


def check_for(stand_ins: StandIns, original_uri: str) -> ProbedRequest:
    """The session check nginx sent auth-service's probe for a request to original_uri."""
    [check] = stand_ins.auth.session_checks_for(original_uri)
    return check


def protected_path(prefix: str) -> str:
    return f"{prefix}{uuid.uuid4().hex}"


@pytest.mark.parametrize("prefix", ["/graph/", "/app/"])
def test_the_check_carries_the_session_cookie_and_nothing_else_of_the_client(
    lone_edge: StartLoneEdge, stand_ins: StandIns, prefix: str
) -> None:
    edge = lone_edge()
    path = protected_path(prefix)
    headers = [
        ("Host", f"127.0.0.1:{edge.port}"),
        ("Cookie", f"theme=dark; signin_session={SESSION_ID}; " + "other=1; " * 500),
        ("Accept", "application/json"),
        ("User-Agent", "fuzzer"),
        ("X-Note", "a\x01b"),
        ("Authorization", "Basic bm90LWZvci10aGUtY2hlY2s="),  # a bearer token would be
        *((f"X-Filler-{index}", "value") for index in range(200)),
    ]
    answer = raw_request(edge.port, f"GET {path} HTTP/1.1", headers)
    # graph-service gets only what it reads; the app gets the 200 headers (and refuses them).
    assert answer.status == (200 if prefix == "/graph/" else 431), answer.body[:300]
    check = check_for(stand_ins, path)
    assert set(check.headers) <= CHECK_HEADERS, set(check.headers) - CHECK_HEADERS
    assert check.headers["cookie"] == f"signin_session={SESSION_ID}"
    assert check.headers["accept"] == "application/json"
    assert check.headers["x-forwarded-for"] == "127.0.0.1"
    request_id = check.headers["x-request-id"]
    assert len(request_id) == 32
    assert check.headers["traceparent"] == f"00-{request_id}-{request_id[16:]}-01"


def received_by(probe_requests: list[ProbedRequest], path: str) -> ProbedRequest:
    """The one request an upstream probe received for path."""
    [received] = [r for r in probe_requests if r.headers.get("x-original-uri") == path]
    return received


@pytest.mark.parametrize(
    ("sent", "for_the_check"),
    [
        ("Bearer eyJ0.eyJz-dWI_.c2ln", "Bearer eyJ0.eyJz-dWI_.c2ln"),
        ("bearer   abc~+/def==", "Bearer abc~+/def=="),
        ("Bearer two words", "Bearer !malformed"),
        ("Bearer " + "a" * 8193, "Bearer !malformed"),
        ("Bearer", "Bearer !malformed"),
        ("Basic dXNlcjpwYXNz", None),
    ],
)
def test_the_check_gets_a_bearer_token_only_when_plausible_and_the_app_never(
    lone_edge: StartLoneEdge, stand_ins: StandIns, sent: str, for_the_check: str | None
) -> None:
    edge = lone_edge()
    for prefix in ("/graph/", "/app/"):
        path = protected_path(prefix)
        headers = [
            ("Host", f"127.0.0.1:{edge.port}"),
            ("Cookie", f"signin_session={SESSION_ID}"),  # the probe's check answers 200
            ("Authorization", sent),
        ]
        answer = raw_request(edge.port, f"GET {path} HTTP/1.1", headers)
        assert answer.status == 200, answer.body[:300]
        assert check_for(stand_ins, path).headers.get("authorization") == for_the_check
        if prefix == "/graph/":  # graph-service: a token the check vouched for, nothing else
            upstream = received_by(stand_ins.graph.requests, path)
            assert upstream.headers.get("authorization") == for_the_check
        else:  # the app: never a bearer token; other schemes are its own business
            upstream = received_by(stand_ins.app.requests, path)
            assert upstream.headers.get("authorization") == (
                sent if sent.startswith("Basic") else None
            )


@pytest.mark.parametrize(
    "cookie",
    [
        f"signin_session={SESSION_ID[:-1]}",  # 42 characters
        f"signin_session={SESSION_ID}A",  # 44
        f"signin_session={SESSION_ID[:-1]}.",  # not URL-safe base64
        f"signin_session={SESSION_ID[:-2]} A",
        f"xsignin_session={SESSION_ID}",  # another cookie's name ends the same
        f"signin_session_flows={SESSION_ID}",
    ],
)
def test_a_malformed_session_cookie_is_not_sent_to_the_check(
    lone_edge: StartLoneEdge, stand_ins: StandIns, cookie: str
) -> None:
    edge = lone_edge()
    path = protected_path("/app/")
    answer = raw_request(
        edge.port,
        f"GET {path} HTTP/1.1",
        [("Host", "127.0.0.1"), ("Cookie", cookie), ("Accept", "application/json")],
    )
    assert answer.status < 500
    check = check_for(stand_ins, path)
    assert "cookie" not in check.headers, check.headers["cookie"]


def test_a_session_cookie_named_with_a_dash_is_found(
    lone_edge: StartLoneEdge, stand_ins: StandIns
) -> None:
    edge = lone_edge(SESSION_COOKIE_NAME="__Host-signin_session")
    path = protected_path("/graph/")
    cookie = f"signin_session=other; __Host-signin_session={SESSION_ID}"
    answer = raw_request(edge.port, f"GET {path} HTTP/1.1", [("Host", "x"), ("Cookie", cookie)])
    assert answer.status == 200
    assert check_for(stand_ins, path).headers["cookie"] == f"__Host-signin_session={SESSION_ID}"


def test_sign_in_required_gets_the_same_list(lone_edge: StartLoneEdge, stand_ins: StandIns) -> None:
    edge = lone_edge()
    path = protected_path("/app/")
    headers = [("Host", "x"), ("Accept", "text/html"), ("X-Note", "a\x01b"), ("Cookie", "a=b")]
    answer = raw_request(edge.port, f"GET {path} HTTP/1.1", headers)
    assert answer.status == 200  # the probe's answer to /_auth/sign-in-required
    [required] = [
        request
        for request in stand_ins.auth.requests
        if request.path == "/_auth/sign-in-required"
        and request.headers.get("x-original-uri") == path
    ]
    assert set(required.headers) <= CHECK_HEADERS - {"cookie"}, required.headers
    assert required.headers["accept"] == "text/html"
