"""graph-service's request metrics after crazy methods and paths: labels from a fixed set."""

from __future__ import annotations

import re

from native_stack.stack import NativeStack
from tests.support.browser import Browser, plain_get

STANDARD_METHODS = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "CONNECT"}
REQUEST_LABELS = re.compile(r'^http_requests_total\{method="([^"]*)",route="([^"]*)",')
CRAZY_REQUESTS = [
    ("BREW", "/graph/me"),
    ("PROPFIND", "/graph/v1.0/me"),
    ("MKCOL", "/graph/" + "x" * 300),
    ("GET", "/graph/" + "y" * 300),
    ("GET", "/graph/v1.0x/%ff/../z"),
]


def test_crazy_methods_and_paths_get_fixed_labels(
    gateway_stack: NativeStack, signed_in: Browser
) -> None:
    for method, path in CRAZY_REQUESTS:
        answer = signed_in.http.request(method, gateway_stack.public_url + path, timeout=10)
        assert answer.status_code < 500, (method, path, answer.status_code)
    port = gateway_stack.metrics_ports["graph-service"]
    text = plain_get(f"http://127.0.0.1:{port}/metrics").text
    labels = [found.groups() for found in map(REQUEST_LABELS.match, text.splitlines()) if found]
    methods = {method for method, _ in labels}
    routes = {route for _, route in labels}
    assert "other" in methods
    assert methods <= STANDARD_METHODS | {"other"}
    assert all(
        route == "unmatched" or route.startswith(("/graph/", "/healthz", "/readyz"))
        for route in routes
    ), routes
    assert not any("x" * 300 in route or "y" * 300 in route for route in routes)
