"""The control API: faults, counters, users, apps, keys; plus JWKS and discovery documents."""

from __future__ import annotations

import time

import jwt
from emulator_support import (
    AVERY,
    CLIENT_ID,
    JORDAN,
    TENANT_ID,
    app_token,
    code_for,
    graph_get,
    post_token,
    redeem,
    user_token,
)


def get_json(server, path: str) -> dict:
    """GET a JSON document from the emulator."""
    with server.http.get(f"{server.url}{path}", timeout=10) as response:
        assert response.status_code == 200, response.text
        return response.json()


def test_healthz(emulator):
    assert get_json(emulator, "/healthz")["status"] == "ok"


def test_discovery_document_points_back_channel_at_request_host(emulator):
    config = get_json(emulator, f"/{TENANT_ID}/v2.0/.well-known/openid-configuration")
    assert config["issuer"] == f"{emulator.url}/{TENANT_ID}/v2.0"
    assert config["token_endpoint"] == f"{emulator.url}/{TENANT_ID}/oauth2/v2.0/token"
    assert config["jwks_uri"] == f"{emulator.url}/{TENANT_ID}/discovery/v2.0/keys"
    assert config["authorization_endpoint"] == f"{emulator.url}/{TENANT_ID}/oauth2/v2.0/authorize"
    assert "form_post" in config["response_modes_supported"]


def test_tokens_verify_against_jwks(emulator, browser):
    token = user_token(emulator, browser, AVERY)
    keys = jwt.PyJWKSet.from_dict(get_json(emulator, f"/{TENANT_ID}/discovery/v2.0/keys"))
    kid = jwt.get_unverified_header(token)["kid"]
    key = next(k for k in keys.keys if k.key_id == kid)
    claims = jwt.decode(
        token, key.key, algorithms=["RS256"], audience="https://graph.microsoft.com"
    )
    assert claims["upn"] == AVERY


def test_key_rotation_keeps_old_key_published(emulator, browser):
    old_token = user_token(emulator, browser, AVERY)
    old_kid = jwt.get_unverified_header(old_token)["kid"]
    new_kid = emulator.control("POST", "keys/rotate")["active_kid"]
    assert new_kid != old_kid
    kids = [k["kid"] for k in get_json(emulator, f"/{TENANT_ID}/discovery/v2.0/keys")["keys"]]
    assert kids[0] == new_kid and old_kid in kids
    assert jwt.get_unverified_header(app_token(emulator))["kid"] == new_kid
    assert graph_get(emulator, "/me", old_token).status_code == 200


def test_throttle_fault_with_decimal_retry_after_and_count(emulator, browser):
    token = user_token(emulator, browser, AVERY)
    emulator.control("POST", "faults", json={"type": "throttle", "retry_after": 1.5, "count": 2})
    for _ in range(2):
        response = graph_get(emulator, "/me", token)
        assert response.status_code == 429 and response.headers["Retry-After"] == "1.5"
        assert response.json()["error"]["code"] == "TooManyRequests"
    assert graph_get(emulator, "/me", token).status_code == 200
    assert emulator.control("GET", "faults")["faults"] == []


def test_per_user_unavailable_fault(emulator, browser):
    avery = user_token(emulator, browser, AVERY)
    jordan = user_token(emulator, browser, JORDAN, prompt="login")
    emulator.control(
        "POST", "faults", json={"type": "unavailable", "user": JORDAN, "retry_after": 2}
    )
    assert graph_get(emulator, "/me", avery).status_code == 200
    response = graph_get(emulator, "/me", jordan)
    assert response.status_code == 503 and response.headers["Retry-After"] == "2"
    emulator.control("DELETE", "faults")
    assert graph_get(emulator, "/me", jordan).status_code == 200


def test_token_endpoint_fault_is_entra_shaped(emulator):
    emulator.control(
        "POST", "faults", json={"type": "throttle", "endpoints": ["token"], "count": 1}
    )
    status, body = post_token(emulator, {"grant_type": "client_credentials"})
    assert status == 429 and body["error"] == "temporarily_unavailable"
    assert app_token(emulator)


def test_latency_fault(emulator, browser):
    token = user_token(emulator, browser, AVERY)
    emulator.control("POST", "faults", json={"type": "latency", "latency_ms": 300, "count": 1})
    started = time.monotonic()
    assert graph_get(emulator, "/me", token).status_code == 200
    assert time.monotonic() - started >= 0.3


def test_bad_fault_is_400(emulator):
    with emulator.http.post(
        f"{emulator.url}/_control/faults", json={"type": "meteor"}, timeout=10
    ) as response:
        assert response.status_code == 400 and "type" in response.json()["error"]


def test_request_counters(emulator, browser):
    code, verifier = code_for(emulator, browser, AVERY)
    redeem(emulator, code, verifier)
    app_token(emulator)
    get_json(emulator, f"/{TENANT_ID}/discovery/v2.0/keys")
    counts = emulator.counts()
    assert counts["authorize"] == 2 and counts["token"] == 2 and counts["jwks"] == 1
    assert counts["token_by_grant_type"]["authorization_code"] == 1
    assert counts["token_by_grant_type"]["client_credentials"] == 1
    assert counts["token_by_grant_type"]["refresh_token"] == 0
    emulator.control("POST", "reset-counters")
    assert emulator.counts()["token"] == 0


def test_added_user_can_sign_in_and_is_listed(emulator, browser):
    added = emulator.control(
        "POST",
        "users",
        json={
            "userPrincipalName": "casey.nguyen@contoso.example",
            "displayName": "Casey Nguyen",
            "jobTitle": "Analyst",
        },
    )
    assert added["id"]
    token = user_token(emulator, browser, "casey.nguyen@contoso.example")
    me = graph_get(emulator, "/me", token).json()
    assert me["id"] == added["id"] and me["jobTitle"] == "Analyst"
    upns = [u["userPrincipalName"] for u in emulator.control("GET", "users")["value"]]
    assert "casey.nguyen@contoso.example" in upns


def test_registered_app_gets_its_own_redirect_uris(emulator, browser):
    client_id = "99999999-8888-7777-6666-555555555555"
    emulator.control(
        "POST",
        "apps",
        json={
            "client_id": client_id,
            "display_name": "Second app",
            "client_secrets": ["second-secret"],
            "redirect_uris": ["https://app2.example/cb"],
        },
    )
    emulator.control(
        "POST",
        "consents",
        json={"client_id": client_id, "scopes": "openid offline_access User.Read"},
    )
    status, body = post_token(
        emulator,
        {
            "grant_type": "client_credentials",
            "client_id": client_id,
            "client_secret": "second-secret",
            "scope": "https://graph.microsoft.com/.default",
        },
    )
    assert status == 200, body
    apps = {a["client_id"]: a for a in emulator.control("GET", "apps")["value"]}
    assert apps[client_id]["redirect_uris"] == ["https://app2.example/cb"]
    assert "second-secret" not in str(apps)
    assert CLIENT_ID in apps
