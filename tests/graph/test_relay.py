"""How graph-service relays Graph's answers, whatever their shape."""

from __future__ import annotations

import pytest
from flask import Flask
from graph_service.gateway import relay
from graph_service.graph_transport import GraphAnswer
from graph_service.json_errors import GraphServiceError
from urllib3 import HTTPHeaderDict

GRAPH = "https://graph.microsoft.com/v1.0"


def graph_answer(status: int, content_type: str, body: bytes, **headers: str) -> GraphAnswer:
    return GraphAnswer(status, HTTPHeaderDict({"Content-Type": content_type, **headers}), body)


def test_error_without_json_keeps_its_status_in_our_envelope() -> None:
    html = graph_answer(503, "text/html", b"<html>busy</html>", **{"Retry-After": "7"})
    with Flask(__name__).test_request_context():
        body, status, headers = relay(html, GRAPH)  # type: ignore[misc]
        assert status == 503
        assert body.get_json()["error"]["code"] == "graph_error"
        assert headers == {"Retry-After": "7"}


def test_success_that_is_neither_json_nor_image_is_refused() -> None:
    with Flask(__name__).test_request_context(), pytest.raises(GraphServiceError) as refused:
        relay(graph_answer(200, "text/html", b"<html>surprise</html>"), GRAPH)
    assert refused.value.status == 502


def test_json_error_passes_through_unchanged() -> None:
    body = b'{"error":{"code":"Request_ResourceNotFound","message":"nope"}}'
    with Flask(__name__).test_request_context():
        relayed = relay(graph_answer(404, "application/json", body, **{"request-id": "r-1"}), GRAPH)
        assert relayed.status_code == 404  # type: ignore[union-attr]
        assert relayed.get_data() == body  # type: ignore[union-attr]
        assert relayed.headers["request-id"] == "r-1"  # type: ignore[union-attr]


def test_redirect_is_passed_on_with_its_location_not_followed() -> None:
    download = "https://download.contoso.example/photo.jpg?sig=abc"
    answer = graph_answer(
        302, "text/html", b"<a>Found</a>", Location=download, **{"request-id": "r-2"}
    )
    with Flask(__name__).test_request_context():
        relayed = relay(answer, GRAPH)
        assert relayed.status_code == 302  # type: ignore[union-attr]
        assert relayed.headers["Location"] == download  # type: ignore[union-attr]
        assert relayed.headers["request-id"] == "r-2"  # type: ignore[union-attr]
        assert relayed.get_data() == b""  # type: ignore[union-attr]
