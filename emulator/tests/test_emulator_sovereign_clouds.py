"""Stand-in mode for the sovereign clouds: reached as login.microsoftonline.us (or China's
hosts), the emulator answers with that cloud's discovery values and instance aliases.

As in test_emulator_production_host.py only name resolution and the trusted CA differ from
production: MSAL gets the sovereign authority unchanged.
"""

from __future__ import annotations

import msal
import pytest
from emulator_support import (
    AVERY,
    CLIENT_ID,
    CLIENT_SECRET,
    TENANT_ID,
    resolve_to_emulator,
    trusting_session,
)
from emulator_support import msal_sign_in as sign_in

SOVEREIGN_HOSTS = (
    "login.microsoftonline.us",
    "graph.microsoft.us",
    "login.chinacloudapi.cn",
    "microsoftgraph.chinacloudapi.cn",
)


@pytest.fixture
def sovereign_hosts_on_emulator(emulator, monkeypatch):
    """Resolve the sovereign clouds' hosts (on any port) to the emulator."""
    resolve_to_emulator(monkeypatch, emulator.url, SOVEREIGN_HOSTS)


def discovery(browser, host, tenant=TENANT_ID):
    """The v2.0 discovery document as served at host."""
    url = f"https://{host}/{tenant}/v2.0/.well-known/openid-configuration"
    with browser.session.get(url, timeout=10) as response:
        assert response.status_code == 200, response.text
        return response.json()


@pytest.mark.parametrize(
    ("host", "instance", "graph_host"),
    [
        ("login.microsoftonline.us", "microsoftonline.us", "graph.microsoft.us"),
        ("login.chinacloudapi.cn", "partner.microsoftonline.cn", "microsoftgraph.chinacloudapi.cn"),
    ],
)
def test_discovery_names_the_cloud_it_is_reached_in(
    browser, sovereign_hosts_on_emulator, host, instance, graph_host
):
    config = discovery(browser, host)
    assert config["cloud_instance_name"] == instance
    assert config["msgraph_host"] == graph_host
    assert config["issuer"] == f"https://{host}/{TENANT_ID}/v2.0"
    assert config["token_endpoint"].startswith(f"https://{host}/")


def test_instance_discovery_knows_every_clouds_aliases(browser, sovereign_hosts_on_emulator):
    url = (
        "https://login.microsoftonline.us/common/discovery/instance?api-version=1.1"
        f"&authorization_endpoint=https://login.microsoftonline.us/{TENANT_ID}"
        "/oauth2/v2.0/authorize"
    )
    with browser.session.get(url, timeout=10) as response:
        body = response.json()
    assert body["tenant_discovery_endpoint"] == (
        f"https://login.microsoftonline.us/{TENANT_ID}/v2.0/.well-known/openid-configuration"
    )
    aliases = {entry["preferred_network"]: entry["aliases"] for entry in body["metadata"]}
    assert "login.usgovcloudapi.net" in aliases["login.microsoftonline.us"]
    assert "login.chinacloudapi.cn" in aliases["login.partner.microsoftonline.cn"]
    assert "login.windows.net" in aliases["login.microsoftonline.com"]
    assert len(aliases) == 3  # no entry for a host of no cloud


def test_msal_signs_in_and_reads_graph_in_us_government(
    emulator, browser, sovereign_hosts_on_emulator
):
    session = trusting_session(emulator.ca_path)
    app = msal.ConfidentialClientApplication(
        CLIENT_ID,
        client_credential=CLIENT_SECRET,
        authority=f"https://login.microsoftonline.us/{TENANT_ID}",
        http_client=session,
    )
    try:
        result = sign_in(app, browser, AVERY)
        assert result["id_token_claims"]["iss"] == (
            f"https://login.microsoftonline.us/{TENANT_ID}/v2.0"
        ), result
        with browser.session.get(
            "https://graph.microsoft.us/v1.0/me",
            timeout=10,
            headers={"Authorization": f"Bearer {result['access_token']}"},
        ) as response:
            assert response.status_code == 200, response.text
            assert response.json()["userPrincipalName"] == AVERY
    finally:
        session.close()
