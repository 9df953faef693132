"""graph_paths: only paths that stay on the configured Graph base URL get a token."""

from __future__ import annotations

import pytest
from graph_service.graph_paths import (
    InvalidGraphPathError,
    checked_graph_path,
    graph_url,
    is_same_graph_link,
)

BASE = "https://graph.microsoft.com/v1.0"


@pytest.mark.parametrize("path", ["/me", "/users/abc/photo/$value", "/me/messages?$top=5"])
def test_relative_paths_pass(path: str) -> None:
    assert checked_graph_path(path) == path


@pytest.mark.parametrize(
    ("path", "reason"),
    [
        ("me", "must be relative"),
        ("//evil.example/x", "must be relative"),
        ("/me%2f..%2fadmin", "Encoded slashes"),
        ("/me%5cadmin", "Encoded slashes"),
        ("/me\\admin", "Backslashes"),
        ("/me admin", "Backslashes, spaces"),
        ("/me\x00", "control characters"),
        ("/me//users", "Empty, . and .."),
        ("/me/../users", "Empty, . and .."),
        ("/https:/evil.example", "Absolute URLs"),
        ("/users/x#/photo/$value", "A # is not allowed"),
        ("/users/x%23/photo/$value", "Encoded slashes"),
        ("/users/x%3f/photo/$value", "Encoded slashes"),
    ],
)
def test_paths_that_could_leave_graph_are_refused_with_a_reason(path: str, reason: str) -> None:
    with pytest.raises(InvalidGraphPathError, match=reason):
        checked_graph_path(path)


def test_a_joined_url_must_stay_under_the_base_path() -> None:
    assert graph_url(BASE, "/me") == BASE + "/me"
    with pytest.raises(InvalidGraphPathError, match="leaves Microsoft Graph"):
        graph_url(BASE, "@evil.example/me")


@pytest.mark.parametrize("path", ["/users/x#/photo/$value", "/users/x?/photo/$value"])
def test_a_joined_url_must_keep_the_whole_path(path: str) -> None:
    with pytest.raises(InvalidGraphPathError, match="leaves Microsoft Graph"):
        graph_url(BASE, path)


@pytest.mark.parametrize(
    ("link", "same"),
    [
        (BASE + "/users?$skiptoken=abc", True),
        ("https://graph.microsoft.com/beta/users", False),
        ("https://evil.example/v1.0/users", False),
        ("http://graph.microsoft.com/v1.0/users", False),
        (BASE + "/../beta/users", False),
    ],
)
def test_next_links_are_followed_only_on_the_base_url(link: str, same: bool) -> None:
    assert is_same_graph_link(BASE, link) is same
