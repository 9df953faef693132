"""Graph v1.0: token validation, /me, /users paging and $select, photos, $batch, errors."""

from __future__ import annotations

import base64
import time

import pytest
from emulator_support import (
    AVERY,
    CLIENT_ID,
    JORDAN,
    app_token,
    graph_get,
    user_token,
)


def assert_graph_error(response, status: int, code: str) -> dict:
    """The response is a Graph error envelope with request ids."""
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert error["code"] == code
    assert error["message"]
    assert error["innerError"]["request-id"] == response.headers["request-id"]
    assert error["innerError"]["date"]
    return error


def test_missing_and_garbage_tokens_are_401(emulator):
    response = graph_get(emulator, "/me", None)
    assert_graph_error(response, 401, "InvalidAuthenticationToken")
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert_graph_error(graph_get(emulator, "/me", "not-a-jwt"), 401, "InvalidAuthenticationToken")


def test_token_signed_by_someone_else_is_401(emulator, browser):
    token = user_token(emulator, browser, AVERY)
    header, payload, signature = token.split(".")
    forged = ".".join([header, payload, base64.urlsafe_b64encode(b"x" * 256).decode().rstrip("=")])
    assert_graph_error(graph_get(emulator, "/me", forged), 401, "InvalidAuthenticationToken")


def test_expired_token_is_401(short_lived_emulator, make_browser):
    token = user_token(short_lived_emulator, make_browser(short_lived_emulator), AVERY)
    assert graph_get(short_lived_emulator, "/me", token).status_code == 200
    time.sleep(2.2)
    error = assert_graph_error(
        graph_get(short_lived_emulator, "/me", token), 401, "InvalidAuthenticationToken"
    )
    assert "expired" in error["message"]


def test_me_honours_select_and_echoes_client_request_id(emulator, browser):
    token = user_token(emulator, browser, AVERY)
    response = graph_get(
        emulator,
        "/me?$select=displayName,jobTitle",
        None,
        headers={"client-request-id": "abc-123", "Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 200
    assert response.headers["client-request-id"] == "abc-123"
    body = response.json()
    assert body["displayName"] == "Avery Chen" and body["jobTitle"] == "Product Manager"
    assert set(body) == {"@odata.context", "displayName", "jobTitle"}


def test_users_paging_with_top_and_next_link(emulator, browser):
    token = user_token(emulator, browser, AVERY)
    seen, url, pages = [], "/users?$top=2&$select=userPrincipalName", 0
    while url:
        body = graph_get(emulator, url, token).json()
        assert len(body["value"]) <= 2
        seen += [user["userPrincipalName"] for user in body["value"]]
        url, pages = body.get("@odata.nextLink"), pages + 1
    assert pages == 3 and len(seen) == len(set(seen)) == 6  # Contoso's six seeded users
    everyone = graph_get(emulator, "/users", token).json()
    assert "@odata.nextLink" not in everyone and len(everyone["value"]) == 6
    assert not [upn for upn in seen if not upn.endswith("@contoso.example")]


def test_top_bounds_and_unknown_select_are_400(emulator, browser):
    token = user_token(emulator, browser, AVERY)
    for top in ("0", "1000", "abc"):
        assert_graph_error(
            graph_get(emulator, f"/users?$top={top}", token), 400, "Request_BadRequest"
        )
    assert graph_get(emulator, "/users?$top=999", token).status_code == 200
    assert_graph_error(
        graph_get(emulator, "/users?$select=shoeSize", token), 400, "Request_BadRequest"
    )


def test_user_by_id_or_upn_and_not_found(emulator, browser):
    token = user_token(emulator, browser, AVERY)
    jordan = graph_get(emulator, f"/users/{JORDAN}", token).json()
    assert graph_get(emulator, f"/users/{jordan['id']}", token).json()["mail"] == JORDAN
    assert_graph_error(
        graph_get(emulator, "/users/nobody@contoso.example", token), 404, "Request_ResourceNotFound"
    )


def test_photos(emulator, browser):
    token = user_token(emulator, browser, AVERY)
    photo = graph_get(emulator, "/me/photo/$value", token)
    assert photo.status_code == 200 and photo.headers["Content-Type"] == "image/png"
    assert photo.content.startswith(b"\x89PNG")
    assert graph_get(emulator, "/me/photo", token).json()["@odata.mediaContentType"]
    assert_graph_error(
        graph_get(emulator, f"/users/{JORDAN}/photo/$value", token), 404, "ImageNotFound"
    )


def test_scope_is_enforced(emulator, browser):
    emulator.control("POST", "consents", json={"client_id": CLIENT_ID, "revoke": True})
    emulator.control(
        "POST",
        "consents",
        json={"client_id": CLIENT_ID, "scopes": "openid profile offline_access User.Read"},
    )
    token = user_token(emulator, browser, AVERY)
    assert graph_get(emulator, "/me", token).status_code == 200
    assert_graph_error(graph_get(emulator, "/users", token), 403, "Authorization_RequestDenied")
    assert_graph_error(
        graph_get(emulator, f"/users/{JORDAN}", token), 403, "Authorization_RequestDenied"
    )


def test_app_only_token_reads_users_but_not_me(emulator):
    token = app_token(emulator)
    assert len(graph_get(emulator, "/users", token).json()["value"]) == 6
    assert_graph_error(graph_get(emulator, "/me", token), 400, "BadRequest")


def test_batch_runs_requests_and_reports_each(emulator, browser):
    token = user_token(emulator, browser, AVERY)
    requests_ = [
        {"id": "1", "method": "GET", "url": "/me?$select=displayName"},
        {"id": "2", "method": "GET", "url": "/users?$top=1"},
        {"id": "3", "method": "GET", "url": "/me/photo/$value"},
        {"id": "4", "method": "GET", "url": "/users/nobody@contoso.example"},
        {"id": "5", "method": "GET", "url": "/me", "dependsOn": ["4"]},
    ]
    with emulator.http.post(
        f"{emulator.url}/v1.0/$batch",
        json={"requests": requests_},
        headers={"Authorization": f"Bearer {token}"},
        timeout=10,
    ) as response:
        assert response.status_code == 200, response.text
        by_id = {item["id"]: item for item in response.json()["responses"]}
    assert by_id["1"]["body"]["displayName"] == "Avery Chen"
    assert "@odata.nextLink" in by_id["2"]["body"]
    assert base64.b64decode(by_id["3"]["body"]).startswith(b"\x89PNG")
    assert by_id["4"]["status"] == 404 and by_id["5"]["status"] == 424


def test_batch_limit_is_20(emulator, browser):
    token = user_token(emulator, browser, AVERY)
    too_many = [{"id": str(i), "method": "GET", "url": "/me"} for i in range(21)]
    with emulator.http.post(
        f"{emulator.url}/v1.0/$batch",
        json={"requests": too_many},
        headers={"Authorization": f"Bearer {token}"},
        timeout=10,
    ) as response:
        assert_graph_error(response, 400, "BadRequest")


@pytest.mark.parametrize("malformed", [{"headers": 3}, {"dependsOn": "1"}])
def test_a_malformed_batch_request_is_400(emulator, browser, malformed):
    token = user_token(emulator, browser, AVERY)
    with emulator.http.post(
        f"{emulator.url}/v1.0/$batch",
        json={"requests": [{"id": "1", "method": "GET", "url": "/me", **malformed}]},
        headers={"Authorization": f"Bearer {token}"},
        timeout=10,
    ) as response:
        assert_graph_error(response, 400, "BadRequest")


def test_unknown_graph_segment_is_graph_shaped(emulator, browser):
    token = user_token(emulator, browser, AVERY)
    assert_graph_error(graph_get(emulator, "/sites", token), 400, "BadRequest")
