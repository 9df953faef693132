"""The Host header a client sends is never written back into a redirect, and with PUBLIC_URL
set nginx answers for that host only (probes' /healthz excepted)."""

from __future__ import annotations

import pytest

from native_stack.stack import NativeStack
from tests.edge.conftest import StandIns, StartLoneEdge
from tests.edge.edge_support import assert_security_headers, plain_client
from tests.edge.raw_http import raw_request

FORGED_HOST = "evil.example:8443"
PUBLIC_URL = "https://signin.example.test"


@pytest.mark.parametrize(
    ("path", "location"),
    [
        ("/graph", "/graph/"),  # nginx's own
        ("/app", "/app/"),
        ("/static//site.css", "/static/site.css"),  # werkzeug's, from auth-service
        ("//users", "/login?next=%2Fusers"),
    ],
)
def test_redirects_never_name_the_host_the_client_sent(
    edge_stack: NativeStack, path: str, location: str
) -> None:
    with plain_client() as client:
        answer = client.get(
            edge_stack.public_url + path,
            headers={"Host": FORGED_HOST},
            allow_redirects=False,
            timeout=10,
        )
    assert answer.status_code in (301, 302, 308), (answer.status_code, answer.text[:200])
    assert answer.headers["Location"] == location


@pytest.mark.parametrize(
    ("accept", "content_type", "text"),
    [
        ("text/html", "text/html", "This site is not at that address"),
        ("application/json", "application/json", '"code":"misdirected_request"'),
    ],
)
def test_with_public_url_another_host_is_refused(
    lone_edge: StartLoneEdge, stand_ins: StandIns, accept: str, content_type: str, text: str
) -> None:
    edge = lone_edge(PUBLIC_URL=PUBLIC_URL)
    before = len(stand_ins.auth.requests) + len(stand_ins.graph.requests)
    with plain_client() as client:
        for path in ("/", "/login", "/graph/me", "/app/x"):
            answer = client.get(
                edge.url + path,
                headers={"Host": FORGED_HOST, "Accept": accept},
                allow_redirects=False,
                timeout=10,
            )
            assert answer.status_code == 421, (path, answer.status_code)
            if path.startswith("/graph/"):  # errors under /graph/ are JSON for everyone
                assert '"code":"misdirected_request"' in answer.text
            else:
                assert answer.headers["Content-Type"].startswith(content_type)
                assert text in answer.text
            assert_security_headers(answer)
    assert len(stand_ins.auth.requests) + len(stand_ins.graph.requests) == before


def test_with_public_url_its_own_host_is_served_and_probes_are_answered(
    lone_edge: StartLoneEdge,
) -> None:
    edge = lone_edge(PUBLIC_URL=PUBLIC_URL)
    with plain_client() as client:
        for host in ("signin.example.test", "SIGNIN.example.test:5443"):
            answer = client.get(edge.url + "/", headers={"Host": host}, timeout=10)
            assert answer.status_code == 200, host
        probe = client.get(edge.url + "/healthz", headers={"Host": "10.1.2.3:8080"}, timeout=10)
        assert probe.status_code == 200
    # HTTP/1.0 without a Host header names no host at all.
    assert raw_request(edge.port, "GET / HTTP/1.0", []).status == 421


def test_without_public_url_any_host_is_served(lone_edge: StartLoneEdge) -> None:
    edge = lone_edge()
    with plain_client() as client:
        answer = client.get(edge.url + "/", headers={"Host": FORGED_HOST}, timeout=10)
    assert answer.status_code == 200
    assert answer.json()["headers"]["host"] == FORGED_HOST
