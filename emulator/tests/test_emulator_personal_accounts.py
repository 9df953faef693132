"""Personal Microsoft accounts: the consumers tenant, common mixing both kinds, audiences."""

from __future__ import annotations

import pytest
from emulator_support import (
    AVERY,
    CLIENT_ID,
    authorize_url,
    graph_get,
    parse_page,
)
from emulator_support import msal_sign_in as sign_in

CONSUMERS_TENANT_ID = "9188040d-6c67-4c5b-b112-36a304b66dad"
MORGAN = "morgan.lee@outlook.example"


def set_audience(emulator, audience):
    """Change the seeded app's signInAudience."""
    emulator.control("POST", "apps", json={"client_id": CLIENT_ID, "sign_in_audience": audience})


def picked_account_page(emulator, browser, tenant, username):
    """Submit username on tenant's account picker; return (status, picker page, answer)."""
    status, _, picker = browser.fetch("GET", authorize_url(emulator, tenant=tenant))
    if status != 200:
        return status, picker, picker
    form = parse_page(picker).forms[0]
    action = f"{emulator.url}/{tenant}/oauth2/v2.0/{form['action']}"
    status, _, page = browser.fetch("POST", action, {**form["hidden"], "username": username})
    return status, picker, page


def test_consumers_discovery_names_the_fixed_tenant_id(emulator):
    url = f"{emulator.url}/consumers/v2.0/.well-known/openid-configuration"
    with emulator.http.get(url, timeout=10) as response:
        config = response.json()
    assert response.status_code == 200, config
    assert config["issuer"] == f"{emulator.url}/{CONSUMERS_TENANT_ID}/v2.0"
    assert config["token_endpoint"] == f"{emulator.url}/{CONSUMERS_TENANT_ID}/oauth2/v2.0/token"


@pytest.mark.parametrize("tenant", ["consumers", "common", CONSUMERS_TENANT_ID])
def test_a_personal_account_signs_in_with_msal_and_reads_graph_me(
    emulator, browser, make_msal_app, tenant
):
    set_audience(emulator, "AzureADandPersonalMicrosoftAccount")
    app = make_msal_app(authority=f"{emulator.url}/{tenant}")
    result = sign_in(app, browser, MORGAN)
    claims = result["id_token_claims"]
    assert claims["tid"] == CONSUMERS_TENANT_ID, result
    assert claims["iss"] == f"{emulator.url}/{CONSUMERS_TENANT_ID}/v2.0"
    assert claims["preferred_username"] == MORGAN
    assert claims["oid"].startswith("00000000-0000-0000-")  # how Microsoft accounts' oids look
    assert "idp" not in claims  # iss is the identity provider (the consumers tenant itself)
    me = graph_get(emulator, "/me", result["access_token"])
    assert me.status_code == 200 and me.json()["userPrincipalName"] == MORGAN, me.text
    account = app.get_accounts()[0]
    assert account["home_account_id"].endswith(f".{CONSUMERS_TENANT_ID}")
    assert app.acquire_token_silent(["User.Read"], account=account)["access_token"]


def test_common_signs_in_work_accounts_too_for_a_mixed_audience(emulator, browser, make_msal_app):
    set_audience(emulator, "AzureADandPersonalMicrosoftAccount")
    result = sign_in(make_msal_app(authority=f"{emulator.url}/common"), browser, AVERY)
    assert result["id_token_claims"]["tid"] != CONSUMERS_TENANT_ID, result


def test_organizations_neither_lists_nor_signs_in_personal_accounts(emulator, browser):
    set_audience(emulator, "AzureADandPersonalMicrosoftAccount")
    status, picker, page = picked_account_page(emulator, browser, "organizations", MORGAN)
    assert MORGAN not in picker and AVERY in picker
    assert status == 400 and "AADSTS50020" in page


def test_consumers_neither_lists_nor_signs_in_work_accounts(emulator, browser):
    set_audience(emulator, "AzureADandPersonalMicrosoftAccount")
    status, picker, page = picked_account_page(emulator, browser, "consumers", AVERY)
    assert AVERY not in picker and MORGAN in picker
    assert status == 400 and "AADSTS50020" in page


def test_an_app_for_organizations_only_refuses_a_personal_account(emulator, browser):
    status, _, page = picked_account_page(emulator, browser, "common", MORGAN)
    assert status == 400 and "AADSTS50020" in page and "live.com" in page, page


def test_consumers_refuses_an_app_that_takes_no_personal_accounts(emulator, browser):
    status, _, page = browser.fetch("GET", authorize_url(emulator, tenant="consumers"))
    assert status == 400 and "AADSTS700016" in page, page


def test_an_app_for_personal_accounts_only_refuses_a_work_account(emulator, browser):
    set_audience(emulator, "PersonalMicrosoftAccount")
    status, _, page = picked_account_page(emulator, browser, "common", AVERY)
    assert status == 400 and "AADSTS9002331" in page and "/consumers" in page, page


def test_an_unknown_audience_is_refused_by_the_control_api(emulator):
    body = {"client_id": CLIENT_ID, "sign_in_audience": "AnyoneAtAll"}
    with emulator.http.post(f"{emulator.url}/_control/apps", json=body, timeout=10) as response:
        assert response.status_code == 400
        assert "PersonalMicrosoftAccount" in response.text
