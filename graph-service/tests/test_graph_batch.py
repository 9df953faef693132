"""graph_batch: every request of a batch is checked, its headers included, before Graph sees it."""

from __future__ import annotations

from typing import Any

import pytest
from graph_service.graph_batch import checked_batch
from graph_service.graph_paths import InvalidGraphPathError
from graph_service.json_errors import GraphServiceError


def allow_me_and_users(method: str, path: str) -> list[str] | None:
    allowed = {"/me": ["User.Read"], "/users/{id}": ["User.ReadBasic.All"]}
    if method != "GET":
        return None
    if path.startswith("/users/") and path.count("/") == 2:
        return allowed["/users/{id}"]
    return allowed.get(path)


def batch_of(*items: dict[str, Any]) -> dict[str, Any]:
    return {"requests": [{"id": "1", "method": "GET", "url": "/me"}, *items]}


def test_a_good_batch_passes_with_its_scopes() -> None:
    checked, scopes = checked_batch(
        batch_of({"id": "2", "url": "users/abc", "headers": {"ConsistencyLevel": "eventual"}}),
        allow_me_and_users,
    )
    assert [item["url"] for item in checked] == ["/me", "/users/abc"]
    assert scopes == ["User.Read", "User.ReadBasic.All"]


@pytest.mark.parametrize(
    "headers",
    [
        {"ConsistencyLevel": "eventual\r\nAuthorization: Bearer stolen"},
        {"ConsistencyLevel": "eventual\n"},
        {"ConsistencyLevel": "even\x00tual"},
        {"ConsistencyLevel": "even\x7ftual"},
        {"ConsistencyLevel\r\nAuthorization": "Bearer stolen"},
        {"Consistency Level": "eventual"},
        {"ConsistencyLevel\n": "eventual"},
        {"": "eventual"},
    ],
    ids=["crlf-value", "lf-value", "nul-value", "del-value", "crlf-name", "space-name",
         "lf-name", "empty-name"],
)  # fmt: skip
def test_headers_with_control_characters_are_refused_naming_the_request(
    headers: dict[str, str],
) -> None:
    with pytest.raises(GraphServiceError) as refused:
        checked_batch(batch_of({"id": "two", "url": "/me", "headers": headers}), allow_me_and_users)
    assert (refused.value.status, refused.value.code) == (400, "invalid_batch")
    assert "Request 'two'" in refused.value.message


@pytest.mark.parametrize(
    "url",
    ["/users/x#/photo/$value", "users/x%23/photo", "/users/x%23", "/me#", "/me?$select=id\r\nX: y"],
)
def test_urls_graph_would_read_differently_are_refused(url: str) -> None:
    with pytest.raises(InvalidGraphPathError):
        checked_batch(batch_of({"id": "2", "url": url}), allow_me_and_users)
