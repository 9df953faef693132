"""The happy path with unmodified MSAL Python: sign in, redeem, call Graph, refresh."""

from __future__ import annotations

import time

import pytest
from emulator_support import AVERY, CLIENT_ID, JORDAN, TENANT_ID, graph_get
from emulator_support import msal_sign_in as sign_in


def test_auth_code_flow_returns_tokens_and_id_token_claims(emulator, browser, make_msal_app):
    app = make_msal_app()
    result = sign_in(app, browser, AVERY)
    assert "access_token" in result, result
    claims = result["id_token_claims"]
    assert claims["preferred_username"] == AVERY
    assert claims["tid"] == TENANT_ID
    assert claims["aud"] == CLIENT_ID
    assert claims["iss"] == f"{emulator.url}/{TENANT_ID}/v2.0"
    assert claims["ver"] == "2.0"
    assert result["refresh_token"]
    accounts = app.get_accounts()
    assert [a["username"] for a in accounts] == [AVERY]
    assert accounts[0]["home_account_id"] == f"{claims['oid']}.{TENANT_ID}"


def test_query_response_mode_also_works(browser, make_msal_app):
    with pytest.warns(UserWarning, match="form_post"):
        result = sign_in(make_msal_app(), browser, AVERY, response_mode="query")
    assert result["id_token_claims"]["preferred_username"] == AVERY


def test_graph_me_with_the_access_token(emulator, browser, make_msal_app):
    result = sign_in(make_msal_app(), browser, JORDAN)
    response = graph_get(emulator, "/me", result["access_token"])
    assert response.status_code == 200, response.text
    assert response.headers["request-id"]
    me = response.json()
    assert me["userPrincipalName"] == JORDAN
    assert me["displayName"] == "Jordan Patel"
    assert me["id"] == result["id_token_claims"]["oid"]


def test_silent_uses_cache_then_refreshes_after_expiry(
    short_lived_emulator, make_msal_app, make_browser
):
    app = make_msal_app(short_lived_emulator)
    first = sign_in(app, make_browser(short_lived_emulator), AVERY)
    assert first["expires_in"] == 2
    short_lived_emulator.control("POST", "reset-counters")
    account = app.get_accounts()[0]
    time.sleep(2.1)
    refreshed = app.acquire_token_silent(["User.Read"], account=account)
    assert refreshed and refreshed["access_token"] != first["access_token"]
    counts = short_lived_emulator.counts()
    assert counts["token_by_grant_type"]["refresh_token"] == 1


def test_silent_returns_cached_token_without_calling_the_token_endpoint(
    emulator, browser, make_msal_app
):
    app = make_msal_app()
    first = sign_in(app, browser, AVERY)
    emulator.control("POST", "reset-counters")
    again = app.acquire_token_silent(["User.Read"], account=app.get_accounts()[0])
    assert again["access_token"] == first["access_token"]
    assert again["token_source"] == "cache"
    assert emulator.counts()["token"] == 0


def test_silent_for_other_consented_scope_uses_cache_or_refresh(emulator, browser, make_msal_app):
    app = make_msal_app()
    sign_in(app, browser, AVERY)
    result = app.acquire_token_silent(["User.ReadBasic.All"], account=app.get_accounts()[0])
    assert result and "access_token" in result
