"""werkzeug's own redirects do not write the client's Host header back: they are relative."""

from __future__ import annotations

import pytest
from flask import Flask, redirect

from signin_core.web.redirects import init_relative_redirects, relative_location


def app_with_redirects() -> Flask:
    app = Flask(__name__)
    app.add_url_rule("/folder/", "folder", lambda: "in the folder")
    app.add_url_rule("/a/b", "page", lambda: "a page")
    app.add_url_rule("/away", "away", lambda: redirect("https://login.example/authorize?x=1"))
    init_relative_redirects(app)
    return app


@pytest.mark.parametrize(
    ("path", "location"),
    [("/folder", "/folder/"), ("/folder?a=1", "/folder/?a=1"), ("/a//b", "/a/b")],
)
def test_werkzeugs_redirects_on_a_forged_host_are_relative(path: str, location: str) -> None:
    client = app_with_redirects().test_client()
    answer = client.get(path, headers={"Host": "evil.example:8443"})
    assert answer.status_code == 308
    assert answer.headers["Location"] == location


def test_a_redirect_to_another_host_stays_absolute() -> None:
    answer = app_with_redirects().test_client().get("/away", headers={"Host": "ours.example"})
    assert answer.headers["Location"] == "https://login.example/authorize?x=1"


@pytest.mark.parametrize(
    ("location", "expected"),
    [
        ("http://ours.example/a?b=1#c", "/a?b=1#c"),
        ("http://OURS.example/a", "/a"),
        ("http://ours.example", "/"),
        ("http://ours.example//elsewhere.example/x", "/elsewhere.example/x"),
        ("http://ours.example/\\elsewhere.example", "/elsewhere.example"),
        ("https://ours.example/a", "https://ours.example/a"),  # another scheme: the upgrade
        ("http://ours.example:8080/a", "http://ours.example:8080/a"),
        ("http://other.example/a", "http://other.example/a"),
        ("/already/relative", "/already/relative"),
    ],
)
def test_relative_location(location: str, expected: str) -> None:
    assert relative_location(location, scheme="http", host="ours.example") == expected


def test_without_a_host_nothing_is_changed() -> None:
    assert relative_location("http://x/a", scheme="http", host="") == "http://x/a"
