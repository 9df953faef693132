"""In-process checks with Flask's test client: settings, EMULATOR_BROWSER_URL, cookie scope."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from emulator_support import (
    AVERY,
    CLIENT_ID,
    CLIENT_SECRET,
    REDIRECT_URI,
    TENANT_ID,
    authorize_query,
    parse_page,
)
from ms_emulator.app import create_app
from ms_emulator.settings import EmulatorSettings

BROWSER_URL = "http://localhost:5000/_emulator"


@pytest.fixture(scope="module")
def state_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A state directory shared by the in-process apps of this module."""
    return tmp_path_factory.mktemp("in-process")


def test_settings_from_env(state_dir):
    settings = EmulatorSettings.from_env(
        {
            "EMULATOR_BROWSER_URL": BROWSER_URL + "/",
            "EMULATOR_ACCESS_TOKEN_LIFETIME": "30",
        },
        state_dir=state_dir,
    )
    assert settings.browser_url == BROWSER_URL and settings.access_token_lifetime == 30
    assert settings.seed_path.name == "seed.json" and settings.seed_path.exists()
    with pytest.raises(ValueError, match="EMULATOR_ACCESS_TOKEN_LIFETIME"):
        EmulatorSettings.from_env({"EMULATOR_ACCESS_TOKEN_LIFETIME": "soon"})
    with pytest.raises(ValueError, match="EMULATOR_BROWSER_URL"):
        EmulatorSettings.from_env({"EMULATOR_BROWSER_URL": "localhost:5000"})


def test_browser_url_is_used_only_for_browser_endpoints(state_dir):
    settings = EmulatorSettings.from_env({"EMULATOR_BROWSER_URL": BROWSER_URL}, state_dir=state_dir)
    client = create_app(settings).test_client()
    config = client.get(
        f"/{TENANT_ID}/v2.0/.well-known/openid-configuration", base_url="https://emulator:8443"
    ).get_json()
    assert config["authorization_endpoint"] == f"{BROWSER_URL}/{TENANT_ID}/oauth2/v2.0/authorize"
    assert config["end_session_endpoint"] == f"{BROWSER_URL}/{TENANT_ID}/oauth2/v2.0/logout"
    assert config["token_endpoint"] == f"https://emulator:8443/{TENANT_ID}/oauth2/v2.0/token"
    assert config["jwks_uri"].startswith("https://emulator:8443/")
    assert config["issuer"] == f"https://emulator:8443/{TENANT_ID}/v2.0"


def test_sign_in_cookie_is_scoped_to_the_browser_prefix(state_dir):
    settings = EmulatorSettings.from_env({"EMULATOR_BROWSER_URL": BROWSER_URL}, state_dir=state_dir)
    client = create_app(settings).test_client()
    page = client.get(
        f"/{TENANT_ID}/oauth2/v2.0/authorize?{authorize_query()}", base_url="https://emulator:8443"
    )
    form = parse_page(page.get_data(as_text=True)).forms[0]
    assert form["action"] == "authorize"
    response = client.post(
        f"/{TENANT_ID}/oauth2/v2.0/authorize",
        data={**form["hidden"], "username": AVERY},
        base_url="https://emulator:8443",
    )
    assert response.status_code == 302
    cookie = response.headers["Set-Cookie"]
    assert "Path=/_emulator" in cookie and "HttpOnly" in cookie and "Secure" not in cookie


def test_create_app_keeps_state_per_app(state_dir):
    settings = EmulatorSettings.from_env({}, state_dir=state_dir)
    first, second = create_app(settings).test_client(), create_app(settings).test_client()
    added = first.post("/_control/users", json={"userPrincipalName": "only.here"})
    assert added.status_code == 201
    assert added.get_json()["userPrincipalName"] == "only.here@contoso.example"
    upns = [u["userPrincipalName"] for u in second.get("/_control/users").get_json()["value"]]
    assert "only.here@contoso.example" not in upns


def test_tokens_can_be_as_long_as_entra_issues_them(state_dir):
    settings = EmulatorSettings.from_env(
        {"EMULATOR_ACCESS_TOKEN_LENGTH": "2000", "EMULATOR_REFRESH_TOKEN_LENGTH": "1400"},
        state_dir=state_dir,
    )
    client = create_app(settings).test_client()
    on_emulator = {"base_url": "https://emulator:8443"}
    page = client.get(f"/{TENANT_ID}/oauth2/v2.0/authorize?{authorize_query()}", **on_emulator)
    form = parse_page(page.get_data(as_text=True)).forms[0]
    signed_in = client.post(
        f"/{TENANT_ID}/oauth2/v2.0/authorize",
        data={**form["hidden"], "username": AVERY},
        **on_emulator,
    )
    code = parse_qs(urlsplit(signed_in.headers["Location"]).query)["code"][0]

    def redeem(grant: dict[str, str]) -> dict[str, str]:
        answer = client.post(
            f"/{TENANT_ID}/oauth2/v2.0/token",
            data={"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET, **grant},
            **on_emulator,
        )
        return dict(answer.get_json())

    grant = {"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT_URI}
    tokens = redeem(grant)
    assert 2000 <= len(tokens["access_token"]) <= 2004
    assert len(tokens["refresh_token"]) == 1400
    # Graph still accepts the longer token, and the refresh token still redeems.
    me = client.get(
        "/v1.0/me", headers={"Authorization": f"Bearer {tokens['access_token']}"}, **on_emulator
    )
    assert me.status_code == 200 and me.get_json()["userPrincipalName"] == AVERY
    renewed = redeem({"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"]})
    assert len(renewed["refresh_token"]) == 1400 and len(renewed["access_token"]) >= 2000
    with pytest.raises(ValueError, match="EMULATOR_REFRESH_TOKEN_LENGTH"):
        EmulatorSettings.from_env({"EMULATOR_REFRESH_TOKEN_LENGTH": "long"})
