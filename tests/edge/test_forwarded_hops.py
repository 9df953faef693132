"""FORWARDED_HOPS: how many proxies' X-Forwarded-* values auth-service believes."""

from __future__ import annotations

import pytest
from auth_service.app import create_app
from auth_service.settings import AuthSettings
from flask import Flask, request
from pydantic import ValidationError

from tests.edge.edge_support import DEVELOPMENT_SETTINGS


def app_with_hops(hops: int) -> Flask:
    app = create_app(AuthSettings(**DEVELOPMENT_SETTINGS, forwarded_hops=hops))
    app.add_url_rule(
        "/_seen", "seen", lambda: f"{request.scheme} {request.host} {request.remote_addr}"
    )
    return app


@pytest.mark.parametrize(
    ("hops", "forwarded", "seen"),
    [
        # Behind nginx alone: nginx's one value is believed.
        (
            1,
            {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9"},
            "https app 203.0.113.9",
        ),
        # A client-sent value in front of nginx's is ignored: only the last hop counts.
        (
            1,
            {"X-Forwarded-Proto": "http, https", "X-Forwarded-For": "198.51.100.1, 203.0.113.9"},
            "https app 203.0.113.9",
        ),
        # Two proxies that each append: the outer one's values are the ones that count.
        (
            2,
            {"X-Forwarded-Proto": "https, http", "X-Forwarded-For": "203.0.113.9, 10.0.0.5"},
            "https app 203.0.113.9",
        ),
        # No proxy at all: nothing forwarded is believed.
        (0, {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9"}, "http app 127.0.0.1"),
    ],
)
def test_forwarded_values_believed(hops: int, forwarded: dict[str, str], seen: str) -> None:
    client = app_with_hops(hops).test_client()
    answer = client.get("/_seen", headers={**forwarded, "X-Forwarded-Host": "app", "Host": "app"})
    assert answer.text == seen


def test_forwarded_hops_is_read_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FORWARDED_HOPS", "2")
    assert AuthSettings(**DEVELOPMENT_SETTINGS).forwarded_hops == 2
    monkeypatch.setenv("FORWARDED_HOPS", "-1")
    with pytest.raises(ValidationError):
        AuthSettings(**DEVELOPMENT_SETTINGS)
