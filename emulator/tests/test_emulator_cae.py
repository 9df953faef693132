"""Continuous access evaluation: revocation, Graph's claims challenge, and signing in again."""

from __future__ import annotations

import base64
import json
import re

import jwt
from emulator_support import AVERY, graph_get
from emulator_support import msal_sign_in as sign_in


def challenge_of(www_authenticate: str) -> str:
    """The decoded claims challenge from a WWW-Authenticate header."""
    assert 'error="insufficient_claims"' in www_authenticate
    encoded = re.search(r'claims="([^"]+)"', www_authenticate).group(1)
    return base64.b64decode(encoded).decode()


def test_revocation_challenges_cae_tokens_and_fresh_sign_in_satisfies_it(
    emulator, make_browser, make_msal_app
):
    app = make_msal_app(client_capabilities=["cp1"])
    browser = make_browser(emulator)
    first = sign_in(app, browser, AVERY)
    assert jwt.decode(first["access_token"], options={"verify_signature": False})["xms_cc"] == [
        "cp1"
    ]
    assert graph_get(emulator, "/me", first["access_token"]).status_code == 200

    emulator.control("POST", f"users/{AVERY}/revoke")
    response = graph_get(emulator, "/me", first["access_token"])
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "InvalidAuthenticationToken"
    claims = challenge_of(response.headers["WWW-Authenticate"])
    assert json.loads(claims)["access_token"]["nbf"]["essential"] is True

    account = app.get_accounts()[0]
    silent = app.acquire_token_silent_with_error(
        ["User.Read"], account=account, claims_challenge=claims
    )
    assert silent["error"] == "invalid_grant"

    again = sign_in(app, browser, AVERY, claims_challenge=claims)
    assert "access_token" in again, again
    assert graph_get(emulator, "/me", again["access_token"]).status_code == 200


def test_tokens_of_clients_without_cp1_live_until_expiry(emulator, browser, make_msal_app):
    app = make_msal_app()
    result = sign_in(app, browser, AVERY)
    emulator.control("POST", f"users/{AVERY}/revoke")
    assert graph_get(emulator, "/me", result["access_token"]).status_code == 200
