"""Customer tenants in stand-in mode: External ID at <name>.ciamlogin.com (MSAL's path-less
authority included) and B2C user flows at <name>.b2clogin.com, with their claims and errors."""

from __future__ import annotations

import pytest
from emulator_support import (
    AVERY,
    TENANT_ID,
    authorize_url,
    graph_get,
    parse_page,
    resolve_to_emulator,
)
from emulator_support import msal_sign_in as sign_in

CIAM_TENANT_ID = "3c9e1a7f-5b2d-4e8c-a6f0-9d4b7e2c1a58"
CIAM_HOST = "woodgrovecustomers.ciamlogin.com"
CIAM_CLIENT_ID = "6a1d4f8e-2b7c-4e3a-9f5d-8c0b3e6a1d47"
CIAM_CUSTOMER = "dana.okafor@woodgrove-mail.example"
B2C_TENANT_ID = "4d0f2b8a-6c3e-4f9d-b7a1-0e5c8f3d2b69"
B2C_HOST = "fabrikamb2c.b2clogin.com"
B2C_CLIENT_ID = "7b2e5a9f-3c8d-4f4b-a06e-9d1c4f7b2e58"
B2C_CUSTOMER = "sasha.ivanova@fabrikam-mail.example"
B2C_USER_FLOW = "https://fabrikamb2c.b2clogin.com/fabrikamb2c.onmicrosoft.com/B2C_1_signupsignin"


@pytest.fixture
def customer_hosts_on_emulator(emulator, monkeypatch):
    """Resolve the customer tenants' hosts (on any port) to the emulator."""
    resolve_to_emulator(monkeypatch, emulator.url, (CIAM_HOST, B2C_HOST))


@pytest.mark.parametrize(
    "authority",
    [f"https://{CIAM_HOST}/", f"https://{CIAM_HOST}/{CIAM_TENANT_ID}"],
    ids=["path-less", "tenant-id"],
)
def test_an_external_id_customer_signs_in_with_msal(
    emulator, browser, make_msal_app, customer_hosts_on_emulator, authority
):
    app = make_msal_app(authority=authority, client_id=CIAM_CLIENT_ID)
    result = sign_in(app, browser, CIAM_CUSTOMER)
    claims = result["id_token_claims"]
    assert claims["iss"] == f"https://{CIAM_TENANT_ID}.ciamlogin.com/{CIAM_TENANT_ID}/v2.0"
    assert claims["tid"] == CIAM_TENANT_ID and claims["preferred_username"] == CIAM_CUSTOMER
    assert graph_get(emulator, "/me", result["access_token"]).json()["displayName"] == "Dana Okafor"


def test_customers_are_not_offered_at_common(emulator, browser):
    _, _, picker = browser.fetch("GET", authorize_url(emulator, tenant="common"))
    assert AVERY in picker
    assert CIAM_CUSTOMER not in picker and B2C_CUSTOMER not in picker


def test_a_b2c_user_flow_signs_in_with_msal_and_b2c_claims(
    emulator, browser, make_msal_app, customer_hosts_on_emulator
):
    app = make_msal_app(authority=B2C_USER_FLOW, client_id=B2C_CLIENT_ID)
    result = sign_in(app, browser, B2C_CUSTOMER, scopes=())
    claims = result["id_token_claims"]
    assert claims["iss"] == f"https://{B2C_HOST}/{B2C_TENANT_ID}/v2.0/", result
    assert claims["tfp"] == "B2C_1_signupsignin" and claims["ver"] == "1.0"
    assert claims["emails"] == [B2C_CUSTOMER]
    assert claims["sub"] == claims["oid"]
    assert "idp" not in claims  # a local account; social ones name their provider
    assert "access_token" not in result  # a user flow issues no Graph token
    account = app.get_accounts()[0]
    assert account["home_account_id"] == f"{claims['oid']}-b2c_1_signupsignin.{B2C_TENANT_ID}"


def test_a_b2c_discovery_names_the_user_flow_endpoints(
    emulator, browser, customer_hosts_on_emulator
):
    url = f"{B2C_USER_FLOW}/v2.0/.well-known/openid-configuration"
    with browser.session.get(url, timeout=10) as response:
        config = response.json()
    base = f"https://{B2C_HOST}/fabrikamb2c.onmicrosoft.com/b2c_1_signupsignin"
    assert config["token_endpoint"] == f"{base}/oauth2/v2.0/token"
    assert config["jwks_uri"] == f"{base}/discovery/v2.0/keys"
    with browser.session.get(config["jwks_uri"], timeout=10) as keys:
        assert keys.status_code == 200 and keys.json()["keys"]


def test_an_unknown_user_flow_gets_b2cs_error(emulator, browser, customer_hosts_on_emulator):
    url = f"https://{B2C_HOST}/fabrikamb2c.onmicrosoft.com/B2C_1_nosuchflow/v2.0/.well-known/openid-configuration"
    with browser.session.get(url, timeout=10) as response:
        assert response.status_code == 404
        assert response.json()["error_description"].startswith("AADB2C90022"), response.text
    status, _, page = browser.fetch(
        "GET", url.replace("v2.0/.well-known/openid-configuration", "oauth2/v2.0/authorize")
    )
    assert status == 404 and "AADB2C90022" in page


def test_a_user_flow_refuses_graph_scopes(emulator, browser, customer_hosts_on_emulator):
    url = authorize_url(emulator, client_id=B2C_CLIENT_ID).replace(
        f"{emulator.url}/{TENANT_ID}", B2C_USER_FLOW
    )
    status, _, page = browser.fetch("GET", url)
    assert status == 400 and "AADB2C90012" in page and "User.Read" in page


def test_a_user_flow_lists_only_its_tenants_customers(
    emulator, browser, customer_hosts_on_emulator
):
    url = authorize_url(emulator, client_id=B2C_CLIENT_ID, scope="openid offline_access").replace(
        f"{emulator.url}/{TENANT_ID}", B2C_USER_FLOW
    )
    status, _, picker = browser.fetch("GET", url)
    assert status == 200 and B2C_CUSTOMER in picker and AVERY not in picker
    assert parse_page(picker).forms[0]["action"] == "authorize"
