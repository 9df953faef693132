"""Production host mode: MSAL with authority https://login.microsoftonline.com/<tenant>.

Only name resolution (login.microsoftonline.com and graph.microsoft.com resolve to the emulator,
port included) and the trusted CA differ from production; MSAL and its defaults are untouched,
so it also performs Entra's instance discovery against the emulator.
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

MICROSOFT_HOSTS = ("login.microsoftonline.com", "graph.microsoft.com")


@pytest.fixture
def microsoft_hosts_on_emulator(emulator, monkeypatch):
    """Resolve the Microsoft hosts (on any port) to the emulator's loopback address and port."""
    resolve_to_emulator(monkeypatch, emulator.url, MICROSOFT_HOSTS)


@pytest.fixture
def production_app(emulator, microsoft_hosts_on_emulator):
    """An MSAL app configured exactly as for the real cloud, trusting the emulator CA."""
    session = trusting_session(emulator.ca_path)
    yield msal.ConfidentialClientApplication(
        CLIENT_ID,
        client_credential=CLIENT_SECRET,
        authority=f"https://login.microsoftonline.com/{TENANT_ID}",
        http_client=session,
    )
    session.close()


def test_sign_in_refresh_and_graph_on_microsoft_hostnames(emulator, browser, production_app):
    result = sign_in(production_app, browser, AVERY)
    assert result["id_token_claims"]["iss"] == (
        f"https://login.microsoftonline.com/{TENANT_ID}/v2.0"
    ), result
    with browser.session.get(
        "https://graph.microsoft.com/v1.0/me",
        timeout=10,
        headers={"Authorization": f"Bearer {result['access_token']}"},
    ) as response:
        assert response.status_code == 200 and response.json()["userPrincipalName"] == AVERY
    account = production_app.get_accounts()[0]
    silent = production_app.acquire_token_silent(["User.Read"], account=account, force_refresh=True)
    assert silent and silent["access_token"], silent
    assert emulator.counts()["token_by_grant_type"]["refresh_token"] == 1
    # When a silent attempt fails, MSAL asks instance discovery for the host's aliases.
    failed = production_app.acquire_token_silent_with_error(["Mail.Read"], account=account)
    assert failed["error"] == "invalid_grant" and 65001 in failed["error_codes"]
    assert emulator.counts()["instance_discovery"] == 1


def test_instance_discovery_answers_like_entra(emulator, browser, microsoft_hosts_on_emulator):
    url = (
        "https://login.microsoftonline.com/common/discovery/instance?api-version=1.1"
        f"&authorization_endpoint=https://login.microsoftonline.com/{TENANT_ID}"
        "/oauth2/v2.0/authorize"
    )
    with browser.session.get(url, timeout=10) as response:
        body = response.json()
    assert body["tenant_discovery_endpoint"] == (
        f"https://login.microsoftonline.com/{TENANT_ID}/v2.0/.well-known/openid-configuration"
    )
    aliases = body["metadata"][0]["aliases"]
    assert "login.microsoftonline.com" in aliases and "login.windows.net" in aliases
    bad = url.replace(
        "authorization_endpoint=https://login.microsoftonline.com",
        "authorization_endpoint=https://login.evil.example",
    )
    with browser.session.get(bad, timeout=10) as response:
        assert response.status_code == 400 and response.json()["error"] == "invalid_instance"
