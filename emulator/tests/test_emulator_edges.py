"""Edge cases: per-user token faults, escaping, userinfo, public clients, control validation."""

from __future__ import annotations

from emulator_support import (
    AVERY,
    CLIENT_ID,
    CLIENT_SECRET,
    JORDAN,
    REDIRECT_URI,
    authorize_url,
    code_for,
    graph_get,
    pkce_pair,
    post_token,
    redeem,
)

PUBLIC_APP_ID = "d4d4d4d4-aaaa-4bbb-8ccc-dddddddddddd"


def test_per_user_token_fault_does_not_consume_the_refresh_token(emulator, browser):
    code, verifier = code_for(emulator, browser, AVERY)
    refresh_token = redeem(emulator, code, verifier)[1]["refresh_token"]
    emulator.control(
        "POST",
        "faults",
        json={
            "type": "unavailable",
            "endpoints": ["token"],
            "user": AVERY,
            "retry_after": "0.5",
            "count": 1,
        },
    )
    form = {
        "grant_type": "refresh_token",
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
        "refresh_token": refresh_token,
        "scope": "openid offline_access User.Read",
    }
    status, body = post_token(emulator, form)
    assert status == 503 and body["error"] == "temporarily_unavailable"
    status, body = post_token(emulator, form)
    assert status == 200, body


def test_fault_for_another_user_does_not_apply(emulator, browser):
    code, verifier = code_for(emulator, browser, AVERY)
    emulator.control(
        "POST", "faults", json={"type": "throttle", "endpoints": ["token"], "user": JORDAN}
    )
    assert redeem(emulator, code, verifier)[0] == 200


def test_parameters_are_escaped_in_pages(emulator, browser):
    hostile = '"><script>alert(1)</script>'
    _, _, body = browser.fetch("GET", authorize_url(emulator, state=hostile))
    assert "<script>alert(1)" not in body and "&lt;script&gt;" in body


def test_userinfo_needs_openid(emulator, browser):
    code, verifier = code_for(emulator, browser, AVERY)
    token = redeem(emulator, code, verifier)[1]["access_token"]
    response = graph_get(emulator, f"{emulator.url}/oidc/userinfo", token)
    assert response.status_code == 200 and response.json()["name"] == "Avery Chen"


def test_public_client_must_use_pkce(emulator, browser):
    emulator.control(
        "POST", "apps", json={"client_id": PUBLIC_APP_ID, "redirect_uris": [REDIRECT_URI]}
    )
    emulator.control(
        "POST",
        "consents",
        json={"client_id": PUBLIC_APP_ID, "scopes": "openid profile offline_access User.Read"},
    )
    url = authorize_url(emulator, client_id=PUBLIC_APP_ID)
    code = browser.run(url, [("username", AVERY)], REDIRECT_URI)["code"]
    status, body = post_token(
        emulator,
        {
            "grant_type": "authorization_code",
            "client_id": PUBLIC_APP_ID,
            "code": code,
            "redirect_uri": REDIRECT_URI,
        },
    )
    assert status == 400 and body["error_codes"] == [9002325]
    verifier, challenge = pkce_pair()
    url = authorize_url(
        emulator, client_id=PUBLIC_APP_ID, code_challenge=challenge, code_challenge_method="S256"
    )
    code = browser.run(url, [("username", AVERY)], REDIRECT_URI)["code"]
    status, body = post_token(
        emulator,
        {
            "grant_type": "authorization_code",
            "client_id": PUBLIC_APP_ID,
            "code": code,
            "redirect_uri": REDIRECT_URI,
            "code_verifier": verifier,
        },
    )
    assert status == 200 and body["access_token"]


def test_control_api_rejects_bad_input(emulator):
    for path, payload in (
        ("users", {"displayName": "No UPN"}),
        ("consents", {"scopes": "x"}),
        ("apps", {"display_name": "no id"}),
        ("faults", {"type": "throttle", "endpoints": ["moon"]}),
    ):
        with emulator.http.post(
            f"{emulator.url}/_control/{path}", json=payload, timeout=10
        ) as response:
            assert response.status_code == 400, (path, response.text)
    with emulator.http.post(f"{emulator.url}/_control/users/nobody/revoke", timeout=10) as response:
        assert response.status_code == 404
