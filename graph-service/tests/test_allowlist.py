"""allowlist: which Graph paths the pass-through may call, with which methods and scopes."""

from __future__ import annotations

import json

import pytest
from graph_service.allowlist import parse_allowlist


def test_the_default_allowlist_covers_the_pages_calls() -> None:
    allowlist = parse_allowlist(None)
    me = allowlist.route_for("get", "/me")
    assert me is not None and me.scopes == ("User.Read",)
    user_photo = allowlist.route_for("GET", "/users/abc/photo/$value")
    assert user_photo is not None and user_photo.scopes == ("User.ReadBasic.All",)
    assert allowlist.route_for("POST", "/me") is None
    assert allowlist.route_for("GET", "/me/messages") is None


def test_a_placeholder_stands_for_exactly_one_non_empty_segment() -> None:
    allowlist = parse_allowlist(
        json.dumps([{"path": "/users/{id}", "methods": ["GET"], "scopes": ["User.Read.All"]}])
    )
    assert allowlist.route_for("GET", "/users/abc") is not None
    assert allowlist.route_for("GET", "/users/abc/manager") is None
    assert allowlist.route_for("GET", "/users") is None


def test_the_first_matching_route_decides_the_scopes() -> None:
    allowlist = parse_allowlist(
        json.dumps(
            [
                {"path": "/me/events", "methods": ["GET"], "scopes": ["Calendars.Read"]},
                {"path": "/me/{kind}", "methods": ["GET"], "scopes": ["User.Read"]},
            ]
        )
    )
    events = allowlist.route_for("GET", "/me/events")
    assert events is not None and events.scopes == ("Calendars.Read",)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[]", "non-empty JSON list"),
        ('{"path": "/me"}', "non-empty JSON list"),
        ('["/me"]', "each entry must be an object"),
        ('[{"path": "me", "methods": ["GET"], "scopes": []}]', "bad path"),
        ('[{"path": "/a/../b", "methods": ["GET"], "scopes": []}]', "bad path"),
        ('[{"path": "/me", "methods": [], "scopes": []}]', "methods must be a non-empty list"),
        ('[{"path": "/me", "methods": ["GET"], "scopes": [1]}]', "scopes must be a list"),
    ],
)
def test_a_malformed_allowlist_is_refused_with_a_reason(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_allowlist(text)
