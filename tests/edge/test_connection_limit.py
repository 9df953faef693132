"""Requests in progress at once are limited per client address: over the limit nginx answers
429 with Retry-After, and other addresses are still served."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import pytest
import requests

from tests.edge.edge_support import assert_security_headers, client_from
from tests.edge.lone_edge import LoneEdge, servers
from tests.edge.stand_ins import HeaderProbe

LIMIT = 2
LIMITED_CLIENT = "127.0.0.7"
ANOTHER_CLIENT = "127.0.0.8"


@pytest.fixture
def held() -> Iterator[tuple[HeaderProbe, threading.Event]]:
    """An upstream that keeps every request waiting until the event is set."""
    release = threading.Event()
    probe = HeaderProbe(hold=release)
    probe.start()
    yield probe, release
    release.set()
    probe.stop()


def wait_for_in_progress(probe: HeaderProbe, count: int) -> None:
    deadline = time.monotonic() + 15
    while probe.in_progress < count:
        assert time.monotonic() < deadline, f"{probe.in_progress} of {count} requests arrived"
        time.sleep(0.02)


def get(source: str, url: str, accept: str = "text/html") -> requests.Response:
    with client_from(source) as client:
        return client.get(url, headers={"Accept": accept}, allow_redirects=False, timeout=10)


def test_too_many_requests_at_once_from_one_address_get_429(
    tmp_path: Path, held: tuple[HeaderProbe, threading.Event]
) -> None:
    probe, release = held
    edge = LoneEdge(
        tmp_path,
        {
            "AUTH_SERVICE_SERVERS": servers(probe.port),
            "GRAPH_SERVICE_SERVERS": servers(probe.port),
            "CLIENT_CONNECTION_LIMIT": str(LIMIT),
        },
    )
    edge.start()
    try:
        with ThreadPoolExecutor(LIMIT + 1) as pool:
            waiting: list[Future[requests.Response]] = [
                pool.submit(get, LIMITED_CLIENT, f"{edge.url}/page-{index}")
                for index in range(LIMIT)
            ]
            wait_for_in_progress(probe, LIMIT)
            refused = get(LIMITED_CLIENT, edge.url + "/one-more")
            refused_json = get(LIMITED_CLIENT, edge.url + "/one-more", "application/json")
            other = pool.submit(get, ANOTHER_CLIENT, edge.url + "/another-address")
            wait_for_in_progress(probe, LIMIT + 1)  # the other address reached the upstream
            release.set()
            assert [answer.result().status_code for answer in waiting] == [200] * LIMIT
            assert other.result().status_code == 200
    finally:
        edge.stop()
    assert refused.status_code == 429
    assert refused.headers["Retry-After"] == "5"
    assert "Too many requests at once" in refused.text
    assert_security_headers(refused)
    assert refused_json.status_code == 429
    assert refused_json.json()["error"]["code"] == "too_many_requests"
    assert not any(request.path == "/one-more" for request in probe.requests)
