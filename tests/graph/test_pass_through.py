"""The /graph/v1.0 pass-through: allowlisted paths only, never a token sent off Graph."""

from __future__ import annotations

import http.client
import json
from urllib.parse import urlsplit

import pytest

from native_stack.stack import NativeStack
from tests.support.browser import Browser
from tests.support.emulator_control import EmulatorControl


def raw_get(stack: NativeStack, browser: Browser, raw_path: str) -> tuple[int, dict[str, object]]:
    """GET a path exactly as written (no client-side normalization), with the session cookie."""
    cookie = browser.http.cookies.get("signin_session")
    connection = http.client.HTTPConnection("127.0.0.1", stack.public_port, timeout=10)
    try:
        connection.putrequest("GET", raw_path, skip_accept_encoding=True)
        connection.putheader("Cookie", f"signin_session={cookie}")
        connection.putheader("Accept", "application/json")
        connection.endheaders()
        answer = connection.getresponse()
        body = answer.read()
        try:
            return answer.status, json.loads(body)
        except ValueError:
            return answer.status, {}
    finally:
        connection.close()


def test_allowlisted_path_works(gateway_stack: NativeStack, signed_in: Browser) -> None:
    answer = signed_in.get(gateway_stack.public_url + "/graph/v1.0/users?$top=2&$select=id")
    assert answer.status_code == 200
    assert len(answer.json()["value"]) == 2


@pytest.mark.parametrize(
    ("method", "path"),
    [("GET", "/graph/v1.0/groups"), ("GET", "/graph/v1.0/me/messages"), ("POST", "/graph/v1.0/me")],
)
def test_path_outside_allowlist_is_403(
    gateway_stack: NativeStack, signed_in: Browser, method: str, path: str
) -> None:
    answer = signed_in.http.request(method, gateway_stack.public_url + path, json={}, timeout=10)
    assert answer.status_code == 403
    assert answer.json()["error"]["code"] == "path_not_allowed"


REFUSED_PATHS = [
    "/graph/v1.0/users%2F..%2Fgroups",
    "/graph/v1.0/users/%2e%2e/groups",
    "/graph/v1.0/%2e%2e/beta/me",
    "/graph/v1.0//evil.example/me",
    "/graph/v1.0/https://evil.example/me",
    "/graph/v1.0/https:%2F%2Fevil.example/me",
    "/graph/v1.0/me/..",
    "/graph/v1.0/users/a%5cb",
    "/graph/v1.0/users/a%00b",
    "/graph/v1.0/users/./me",
]


@pytest.mark.parametrize("raw_path", REFUSED_PATHS)
def test_paths_that_could_leave_graph_are_refused(
    gateway_stack: NativeStack, signed_in: Browser, emulator: EmulatorControl, raw_path: str
) -> None:
    emulator.reset_counters()
    status, body = raw_get(gateway_stack, signed_in, raw_path)
    assert status in (400, 404), (status, body)
    assert status != 200
    assert emulator.counts()["graph"] == 0


# What Graph would read as a shorter path than the allowlist approved (a fragment, an
# encoded # or ?), and an encoded slash where the path after /graph/v1.0 begins.
SHORTENED_PATHS = [
    "/graph/v1.0/users/x#/photo/$value",
    "/graph/v1.0/users/x%23/photo/$value",
    "/graph/v1.0/users/x%3F/photo/$value",
    "/graph/v1.0/me#",
    "/graph/v1.0%2Fme",
    "/graph/v1.0%2fusers",
    "/graph/v1.0%2F..%2Fv1.0/me",
]


@pytest.mark.parametrize("raw_path", SHORTENED_PATHS)
def test_paths_graph_would_read_differently_are_400_json(
    gateway_stack: NativeStack, signed_in: Browser, emulator: EmulatorControl, raw_path: str
) -> None:
    emulator.reset_counters()
    status, body = raw_get(gateway_stack, signed_in, raw_path)
    assert (status, body.get("error", {}).get("code")) == (400, "invalid_path"), body
    assert emulator.counts()["graph"] == 0


def test_next_links_point_back_through_the_gateway(
    gateway_stack: NativeStack, signed_in: Browser
) -> None:
    first = signed_in.get(gateway_stack.public_url + "/graph/users?$top=2").json()
    next_link = first["@odata.nextLink"]
    assert next_link.startswith("/graph/v1.0/users?")
    second = signed_in.get(gateway_stack.public_url + next_link)
    assert second.status_code == 200
    first_ids = {user["id"] for user in first["value"]}
    assert first_ids.isdisjoint(user["id"] for user in second.json()["value"])


def test_all_pages_follows_next_links(gateway_stack: NativeStack, signed_in: Browser) -> None:
    every_user = signed_in.get(gateway_stack.public_url + "/graph/users").json()["value"]
    paged = signed_in.get(gateway_stack.public_url + "/graph/users?$top=2&all=true").json()
    assert {u["id"] for u in paged["value"]} == {u["id"] for u in every_user}


def test_all_pages_stops_at_the_page_cap(gateway_stack: NativeStack, signed_in: Browser) -> None:
    capped = signed_in.get(gateway_stack.public_url + "/graph/users?$top=1&all=true").json()
    assert len(capped["value"]) == 3  # GRAPH_MAX_PAGES=3 in this stack
    assert capped["truncated"] is True
    assert urlsplit(capped["@odata.nextLink"]).path == "/graph/v1.0/users"


def batch_request(index: int, url: str, method: str = "GET") -> dict[str, str]:
    return {"id": str(index), "method": method, "url": url}


def test_batch_of_allowlisted_requests(gateway_stack: NativeStack, signed_in: Browser) -> None:
    body = {"requests": [batch_request(1, "/me"), batch_request(2, "users?$top=1")]}
    answer = signed_in.http.post(gateway_stack.public_url + "/graph/v1.0/$batch", json=body)
    assert answer.status_code == 200
    statuses = {item["id"]: item["status"] for item in answer.json()["responses"]}
    assert statuses == {"1": 200, "2": 200}


@pytest.mark.parametrize(
    ("requests_in", "status", "code"),
    [
        ([batch_request(i, "/me") for i in range(21)], 400, "invalid_batch"),
        ([], 400, "invalid_batch"),
        ([batch_request(1, "/groups")], 403, "path_not_allowed"),
        ([batch_request(1, "https://evil.example/me")], 400, "invalid_path"),
        ([batch_request(1, "/me/../groups")], 400, "invalid_path"),
        ([{"id": "1", "method": "GET"}], 400, "invalid_batch"),
        ([{"method": "GET", "url": "/me"}], 400, "invalid_batch"),
        ([{"id": "1", "method": ["GET"], "url": "/me"}], 400, "invalid_batch"),
        ([{**batch_request(1, "/me"), "headers": 3}], 400, "invalid_batch"),
        ([{**batch_request(1, "/me"), "headers": {"ConsistencyLevel": 1}}], 400, "invalid_batch"),
        ([{**batch_request(1, "/me"), "dependsOn": "0"}], 400, "invalid_batch"),
        ([batch_request(1, "/users/x#/photo/$value")], 400, "invalid_path"),
        ([batch_request(1, "/users/x%23/photo/$value")], 400, "invalid_path"),
        (
            [{**batch_request(1, "/me"), "headers": {"ConsistencyLevel": "eventual\r\nX-A: b"}}],
            400,
            "invalid_batch",
        ),
        ([{**batch_request(1, "/me"), "headers": {"X-A\r\nX-B": "c"}}], 400, "invalid_batch"),
    ],
    ids=[
        "21-requests",
        "empty",
        "not-allowlisted",
        "absolute-url",
        "dot-dot",
        "no-url",
        "no-id",
        "method-not-text",
        "headers-not-object",
        "header-not-text",
        "depends-on-not-list",
        "fragment-in-url",
        "encoded-hash-in-url",
        "crlf-in-header-value",
        "crlf-in-header-name",
    ],
)
def test_bad_batches_are_refused(
    gateway_stack: NativeStack,
    signed_in: Browser,
    requests_in: list[dict[str, str]],
    status: int,
    code: str,
) -> None:
    answer = signed_in.http.post(
        gateway_stack.public_url + "/graph/v1.0/$batch", json={"requests": requests_in}
    )
    assert answer.status_code == status
    assert answer.json()["error"]["code"] == code


def test_batch_items_with_control_characters_name_the_item(
    gateway_stack: NativeStack, signed_in: Browser, emulator: EmulatorControl
) -> None:
    emulator.reset_counters()
    smuggled = {"ConsistencyLevel": "eventual\r\nAuthorization: Bearer stolen"}
    requests_in = [batch_request(1, "/me"), {**batch_request(2, "/me"), "headers": smuggled}]
    answer = signed_in.http.post(
        gateway_stack.public_url + "/graph/v1.0/$batch", json={"requests": requests_in}
    )
    assert answer.status_code == 400
    assert "Request '2'" in answer.json()["error"]["message"]
    assert emulator.counts()["graph"] == 0


def test_deeply_nested_batch_is_400_json(gateway_stack: NativeStack, signed_in: Browser) -> None:
    nested = '{"requests": [' + "[" * 5000 + "]" * 5000 + "]}"
    answer = signed_in.http.post(
        gateway_stack.public_url + "/graph/v1.0/$batch",
        data=nested,
        headers={"Content-Type": "application/json"},
    )
    assert answer.status_code == 400, answer.text
    assert answer.json()["error"]["code"] == "json_too_deep"


def test_batch_without_json_is_400(gateway_stack: NativeStack, signed_in: Browser) -> None:
    answer = signed_in.http.post(gateway_stack.public_url + "/graph/v1.0/$batch", data="nope")
    assert answer.status_code == 400
