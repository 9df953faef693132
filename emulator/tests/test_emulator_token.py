"""The /token endpoint: code redemption rules, refresh rotation, client auth, Entra errors."""

from __future__ import annotations

import base64
import json
import threading
import time

import jwt
from emulator_support import (
    AVERY,
    CLIENT_ID,
    CLIENT_SECRET,
    TENANT_ID,
    code_for,
    post_token,
    redeem,
    trusting_session,
)


def claims_of(token: str) -> dict:
    """A JWT's payload without verification (tests verify signatures elsewhere)."""
    return jwt.decode(token, options={"verify_signature": False})


def assert_entra_error(body: dict, error: str, code: int) -> None:
    """The body has Entra's error shape and the expected AADSTS code."""
    assert body["error"] == error, body
    assert body["error_description"].startswith(f"AADSTS{code}:"), body
    assert body["error_codes"] == [code]
    assert body["timestamp"] and body["trace_id"] and body["correlation_id"]


def test_code_redemption_response_is_shaped_like_entra(emulator, browser):
    code, verifier = code_for(emulator, browser, AVERY)
    status, body = redeem(emulator, code, verifier, client_info="1")
    assert status == 200, body
    assert body["token_type"] == "Bearer" and body["expires_in"] == 3600
    assert body["ext_expires_in"] == 3600 and "refresh_in" not in body
    assert set(body["scope"].split()) >= {"User.Read", "openid", "profile", "offline_access"}
    info = json.loads(base64.urlsafe_b64decode(body["client_info"] + "=="))
    access = claims_of(body["access_token"])
    assert info == {"uid": access["oid"], "utid": TENANT_ID}
    assert access["aud"] == "https://graph.microsoft.com" and access["appid"] == CLIENT_ID
    assert access["upn"] == AVERY and access["tid"] == TENANT_ID
    assert {"User.Read", "User.ReadBasic.All"} <= set(access["scp"].split())
    assert jwt.get_unverified_header(body["access_token"])["kid"]
    identity = claims_of(body["id_token"])
    assert identity["nonce"] == "nonce-456" and identity["aud"] == CLIENT_ID
    assert identity["oid"] == access["oid"] and identity["ver"] == "2.0"
    assert body["refresh_token"]


def test_code_is_single_use(emulator, browser):
    code, verifier = code_for(emulator, browser, AVERY)
    assert redeem(emulator, code, verifier)[0] == 200
    status, body = redeem(emulator, code, verifier)
    assert status == 400
    assert_entra_error(body, "invalid_grant", 54005)


def test_code_expires(short_lived_emulator, make_browser):
    code, verifier = code_for(short_lived_emulator, make_browser(short_lived_emulator), AVERY)
    time.sleep(1.2)
    status, body = redeem(short_lived_emulator, code, verifier)
    assert_entra_error(body, "invalid_grant", 70008)


def test_wrong_pkce_verifier_is_rejected(emulator, browser):
    code, _ = code_for(emulator, browser, AVERY)
    _, body = redeem(emulator, code, "x" * 50)
    assert_entra_error(body, "invalid_grant", 501481)


def test_redirect_uri_must_match_the_one_used_for_the_code(emulator, browser):
    code, verifier = code_for(emulator, browser, AVERY)
    _, body = redeem(emulator, code, verifier, redirect_uri="http://127.0.0.1:5000/getAToken")
    assert_entra_error(body, "invalid_grant", 500112)
    code, verifier = code_for(emulator, browser, AVERY)
    _, body = redeem(emulator, code, verifier, redirect_uri="https://evil.example/cb")
    assert_entra_error(body, "invalid_grant", 50011)


def test_bad_secret_and_unknown_client(emulator, browser):
    code, verifier = code_for(emulator, browser, AVERY)
    status, body = redeem(emulator, code, verifier, client_secret="wrong")
    assert status == 401
    assert_entra_error(body, "invalid_client", 7000215)
    _, body = redeem(emulator, code, verifier, client_id="11111111-2222-3333-4444-555555555555")
    assert_entra_error(body, "unauthorized_client", 700016)
    _, body = redeem(emulator, code, verifier, client_secret="")
    assert_entra_error(body, "invalid_client", 7000218)


def test_client_secret_by_http_basic(emulator, browser):
    code, verifier = code_for(emulator, browser, AVERY)
    status, body = post_token(
        emulator,
        {
            "grant_type": "authorization_code",
            "code": code,
            "code_verifier": verifier,
            "redirect_uri": "http://localhost:5000/getAToken",
            "scope": "openid User.Read",
        },
        auth=(CLIENT_ID, CLIENT_SECRET),
    )
    assert status == 200, body


def refresh(server, token: str, **extra: str):
    """Use a refresh token with the seeded app's secret."""
    return post_token(
        server,
        {
            "grant_type": "refresh_token",
            "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET,
            "refresh_token": token,
            "scope": "openid offline_access User.Read",
        }
        | extra,
    )


def test_refresh_rotates_and_reuse_revokes_the_family(emulator, browser):
    code, verifier = code_for(emulator, browser, AVERY)
    first = redeem(emulator, code, verifier)[1]["refresh_token"]
    status, body = refresh(emulator, first)
    assert status == 200 and body["refresh_token"] != first and body["id_token"]
    second = body["refresh_token"]
    status, body = refresh(emulator, first)
    assert_entra_error(body, "invalid_grant", 70000)
    status, body = refresh(emulator, second)
    assert status == 400 and body["error"] == "invalid_grant"


def test_delayed_refreshes_of_one_token_count_one_redeemed_and_one_reused(emulator, browser):
    code, verifier = code_for(emulator, browser, AVERY)
    spent_twice = redeem(emulator, code, verifier)[1]["refresh_token"]
    assert emulator.control("GET", "refresh-tokens") == {"users": {}}  # a code is no refresh
    emulator.control(
        "POST",
        "faults",
        json={"type": "latency", "endpoints": ["token"], "user": AVERY, "latency_ms": 500},
    )
    answers: list[tuple[int, float]] = []

    def refresh_after_the_delay() -> None:
        with trusting_session(emulator.ca_path) as http:
            started = time.monotonic()
            response = http.post(
                f"{emulator.url}/{TENANT_ID}/oauth2/v2.0/token",
                data={
                    "grant_type": "refresh_token",
                    "client_id": CLIENT_ID,
                    "client_secret": CLIENT_SECRET,
                    "refresh_token": spent_twice,
                    "scope": "openid offline_access User.Read",
                },
                timeout=10,
            )
            answers.append((response.status_code, time.monotonic() - started))

    both = [threading.Thread(target=refresh_after_the_delay) for _ in range(2)]
    for thread in both:
        thread.start()
    for thread in both:
        thread.join()
    assert sorted(status for status, _ in answers) == [200, 400]
    assert all(seconds >= 0.5 for _, seconds in answers)
    spending = emulator.control("GET", "refresh-tokens")["users"]
    assert spending == {AVERY: {"redeemed": 1, "reused": 1}}
    emulator.control("POST", "reset-counters")
    assert emulator.control("GET", "refresh-tokens") == {"users": {}}


def test_refresh_for_scope_without_consent_needs_interaction(emulator, browser):
    code, verifier = code_for(emulator, browser, AVERY)
    token = redeem(emulator, code, verifier)[1]["refresh_token"]
    _, body = refresh(emulator, token, scope="openid Mail.Read")
    assert_entra_error(body, "invalid_grant", 65001)
    assert body["suberror"] == "consent_required"
    status, body = refresh(emulator, token)  # the refused request did not spend the token
    assert status == 200 and body["refresh_token"] != token


def test_revoked_user_cannot_refresh(emulator, browser):
    code, verifier = code_for(emulator, browser, AVERY)
    token = redeem(emulator, code, verifier)[1]["refresh_token"]
    emulator.control("POST", f"users/{AVERY}/revoke")
    _, body = refresh(emulator, token)
    assert_entra_error(body, "invalid_grant", 50173)


def test_client_credentials_gives_app_token_with_roles(emulator):
    status, body = post_token(
        emulator,
        {
            "grant_type": "client_credentials",
            "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET,
            "scope": "https://graph.microsoft.com/.default",
        },
    )
    assert status == 200, body
    assert "refresh_token" not in body and "id_token" not in body
    claims = claims_of(body["access_token"])
    assert claims["roles"] == ["User.Read.All"] and claims["idtyp"] == "app"
    assert "scp" not in claims


def test_client_credentials_needs_default_scope(emulator):
    _, body = post_token(
        emulator,
        {
            "grant_type": "client_credentials",
            "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET,
            "scope": "User.Read",
        },
    )
    assert_entra_error(body, "invalid_scope", 1002012)


def test_unsupported_grant_and_unknown_tenant(emulator):
    _, body = post_token(emulator, {"grant_type": "password", "client_id": CLIENT_ID})
    assert_entra_error(body, "unsupported_grant_type", 70003)
    _, body = post_token(emulator, {"grant_type": "client_credentials"}, tenant="nope.example")
    assert_entra_error(body, "invalid_tenant", 90002)


def test_access_token_lifetime_comes_from_environment(short_lived_emulator):
    _, body = post_token(
        short_lived_emulator,
        {
            "grant_type": "client_credentials",
            "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET,
            "scope": "https://graph.microsoft.com/.default",
        },
    )
    assert body["expires_in"] == 2
    claims = claims_of(body["access_token"])
    assert claims["exp"] - claims["iat"] == 2
