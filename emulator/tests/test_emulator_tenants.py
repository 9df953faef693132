"""Authorities by tenant GUID, verified domain, common and organizations, with MSAL."""

from __future__ import annotations

import pytest
from emulator_support import AVERY, TENANT_DOMAIN, TENANT_ID, graph_get
from emulator_support import msal_sign_in as sign_in


@pytest.mark.parametrize("tenant", [TENANT_ID, TENANT_DOMAIN, "common", "organizations"])
def test_msal_signs_in_through_every_authority_form(emulator, browser, make_msal_app, tenant):
    app = make_msal_app(authority=f"{emulator.url}/{tenant}")
    result = sign_in(app, browser, AVERY)
    assert result["id_token_claims"]["iss"] == f"{emulator.url}/{TENANT_ID}/v2.0", result
    assert graph_get(emulator, "/me", result["access_token"]).status_code == 200
    account = app.get_accounts()[0]
    assert account["home_account_id"].endswith(f".{TENANT_ID}")
    assert app.acquire_token_silent(["User.Read"], account=account)["access_token"]


def test_common_discovery_uses_tenantid_placeholder_in_issuer(emulator):
    with emulator.http.get(
        f"{emulator.url}/common/v2.0/.well-known/openid-configuration", timeout=10
    ) as response:
        config = response.json()
    assert config["issuer"] == f"{emulator.url}/{{tenantid}}/v2.0"
    assert config["token_endpoint"] == f"{emulator.url}/common/oauth2/v2.0/token"


def test_domain_discovery_publishes_guid_endpoints(emulator):
    url = f"{emulator.url}/{TENANT_DOMAIN}/v2.0/.well-known/openid-configuration"
    with emulator.http.get(url, timeout=10) as response:
        config = response.json()
    assert config["token_endpoint"] == f"{emulator.url}/{TENANT_ID}/oauth2/v2.0/token"


def test_unknown_tenant_discovery_fails_like_entra(emulator):
    url = f"{emulator.url}/fabrikam.example/v2.0/.well-known/openid-configuration"
    with emulator.http.get(url, timeout=10) as response:
        assert response.status_code == 400
        assert response.json()["error_description"].startswith("AADSTS90002")
