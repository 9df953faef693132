"""Browser clients (single-page apps): discovery where the browser reaches the emulator, one
issuer however it is reached, SPA redirect URIs (PKCE, CORS, 24-hour refresh tokens)."""

from __future__ import annotations

import time
from typing import Any

import jwt
import pytest
from emulator_support import AVERY, TENANT_ID, authorize_query, parse_page, pkce_pair, query_of
from flask.testing import FlaskClient
from ms_emulator.app import create_app
from ms_emulator.browser_clients import SPA_REFRESH_TOKEN_LIFETIME
from ms_emulator.settings import EmulatorSettings
from ms_emulator.state import EXTENSION_KEY

SPA_CLIENT_ID = "8e4a1c6d-3b7f-4d2e-9a5c-1f0b6e8d2a47"
SPA_REDIRECT_URI = "http://localhost:5000/spa/"
SPA_ORIGIN = "http://localhost:5000"
BACK_CHANNEL = "https://emulator:8443"
VIA_EDGE = {"X-Forwarded-Prefix": "/_emulator", "X-Forwarded-Proto": "https"}
EDGE_HOST = "https://localhost:5443"
SPA_SCOPES = "openid profile offline_access User.Read"


@pytest.fixture
def app_and_client(tmp_path) -> tuple[Any, FlaskClient]:
    """An in-process emulator whose issuer is its back-channel address."""
    settings = EmulatorSettings.from_env(
        {"EMULATOR_ISSUER_URL": BACK_CHANNEL, "EMULATOR_BROWSER_URL": EDGE_HOST + "/_emulator"},
        state_dir=tmp_path,
    )
    app = create_app(settings)
    return app, app.test_client()


@pytest.fixture
def client(app_and_client) -> FlaskClient:
    """The in-process emulator's test client."""
    return app_and_client[1]


def discovery(client: FlaskClient, **kwargs: Any) -> dict[str, Any]:
    """The tenant's discovery document, asked the way kwargs say."""
    response = client.get(f"/{TENANT_ID}/v2.0/.well-known/openid-configuration", **kwargs)
    assert response.status_code == 200
    return dict(response.get_json())


def spa_code(client: FlaskClient, redirect_uri: str = SPA_REDIRECT_URI) -> tuple[str, str]:
    """Sign Avery in to the SPA registration through the pages, as the edge forwards them."""
    verifier, challenge = pkce_pair()
    query = authorize_query(
        client_id=SPA_CLIENT_ID,
        redirect_uri=redirect_uri,
        scope=SPA_SCOPES,
        code_challenge=challenge,
        code_challenge_method="S256",
    )
    path = f"/{TENANT_ID}/oauth2/v2.0/authorize"
    page = client.get(f"{path}?{query}", base_url=EDGE_HOST, headers=VIA_EDGE)
    assert page.status_code == 200, page.get_data(as_text=True)
    form = parse_page(page.get_data(as_text=True)).forms[0]
    answer = client.post(
        path,
        data={**form["hidden"], "username": AVERY},
        base_url=EDGE_HOST,
        headers=VIA_EDGE,
    )
    assert answer.status_code == 302, answer.get_data(as_text=True)
    return query_of(answer.headers["Location"])["code"], verifier


def redeem_spa_code(
    client: FlaskClient, code: str, verifier: str | None, headers: dict[str, str]
) -> tuple[int, dict[str, Any]]:
    """Redeem an SPA code at the edge's token endpoint (no client secret: a public client)."""
    form = {
        "grant_type": "authorization_code",
        "client_id": SPA_CLIENT_ID,
        "code": code,
        "redirect_uri": SPA_REDIRECT_URI,
        "scope": SPA_SCOPES,
    }
    if verifier:
        form["code_verifier"] = verifier
    response = client.post(
        f"/{TENANT_ID}/oauth2/v2.0/token",
        data=form,
        base_url=EDGE_HOST,
        headers={**VIA_EDGE, **headers},
    )
    return response.status_code, dict(response.get_json())


def test_discovery_through_the_edge_names_urls_under_the_edge(client):
    config = discovery(client, base_url=EDGE_HOST, headers=VIA_EDGE)
    edge_root = f"{EDGE_HOST}/_emulator/{TENANT_ID}"
    assert config["token_endpoint"] == f"{edge_root}/oauth2/v2.0/token"
    assert config["jwks_uri"] == f"{edge_root}/discovery/v2.0/keys"
    assert config["authorization_endpoint"] == f"{edge_root}/oauth2/v2.0/authorize"
    assert config["end_session_endpoint"] == f"{edge_root}/oauth2/v2.0/logout"
    # The issuer is the one the services read on the back channel.
    assert config["issuer"] == discovery(client, base_url=BACK_CHANNEL)["issuer"]
    assert config["issuer"] == f"{BACK_CHANNEL}/{TENANT_ID}/v2.0"


def test_discovery_asked_cross_origin_names_every_url_on_the_emulator(client):
    # An SPA calling the emulator on its own origin: the authorize page too is here, not at
    # EMULATOR_BROWSER_URL (which the services' discovery keeps naming).
    config = discovery(client, base_url=BACK_CHANNEL, headers={"Origin": SPA_ORIGIN})
    root = f"{BACK_CHANNEL}/{TENANT_ID}"
    assert config["authorization_endpoint"] == f"{root}/oauth2/v2.0/authorize"
    assert config["token_endpoint"] == f"{root}/oauth2/v2.0/token"
    assert config["issuer"] == f"{root}/v2.0"
    services = discovery(client, base_url=BACK_CHANNEL)
    assert services["authorization_endpoint"].startswith(f"{EDGE_HOST}/_emulator/")


def test_discovery_through_a_plain_http_edge_keeps_its_scheme(client):
    config = discovery(
        client,
        base_url="https://localhost:5000",
        headers={"X-Forwarded-Prefix": "/_emulator", "X-Forwarded-Proto": "http"},
    )
    assert config["token_endpoint"].startswith("http://localhost:5000/_emulator/")


def test_spa_sign_in_through_the_edge_gets_the_back_channel_issuer(client):
    code, verifier = spa_code(client)
    status, body = redeem_spa_code(client, code, verifier, {"Origin": SPA_ORIGIN})
    assert status == 200, body
    claims = jwt.decode(body["id_token"], options={"verify_signature": False})
    assert claims["iss"] == f"{BACK_CHANNEL}/{TENANT_ID}/v2.0"
    assert claims["aud"] == SPA_CLIENT_ID and claims["preferred_username"] == AVERY
    assert body["refresh_token"]


def test_spa_code_redemption_needs_a_cross_origin_request(client):
    code, verifier = spa_code(client)
    status, body = redeem_spa_code(client, code, verifier, {})
    assert status == 400
    assert body["error"] == "invalid_request" and "AADSTS9002327" in body["error_description"]


def test_spa_code_redemption_needs_pkce(client):
    query = authorize_query(client_id=SPA_CLIENT_ID, redirect_uri=SPA_REDIRECT_URI)
    path = f"/{TENANT_ID}/oauth2/v2.0/authorize"
    page = client.get(f"{path}?{query}", base_url=EDGE_HOST, headers=VIA_EDGE)
    form = parse_page(page.get_data(as_text=True)).forms[0]
    answer = client.post(
        path, data={**form["hidden"], "username": AVERY}, base_url=EDGE_HOST, headers=VIA_EDGE
    )
    code = query_of(answer.headers["Location"])["code"]
    status, body = redeem_spa_code(client, code, None, {"Origin": SPA_ORIGIN})
    assert status == 400 and "AADSTS9002325" in body["error_description"]


def test_spa_refresh_tokens_end_a_day_after_the_sign_in(app_and_client):
    app, client = app_and_client
    store = app.extensions[EXTENSION_KEY].refresh_tokens
    code, verifier = spa_code(client)
    signed_in_at = time.time()
    _, first = redeem_spa_code(client, code, verifier, {"Origin": SPA_ORIGIN})
    first_expiry = store.peek(first["refresh_token"]).expires_at
    assert abs(first_expiry - (signed_in_at + SPA_REFRESH_TOKEN_LIFETIME)) < 5
    form = {
        "grant_type": "refresh_token",
        "client_id": SPA_CLIENT_ID,
        "refresh_token": first["refresh_token"],
        "scope": SPA_SCOPES,
    }
    refused = client.post(f"/{TENANT_ID}/oauth2/v2.0/token", data=form, base_url=BACK_CHANNEL)
    assert refused.status_code == 400
    assert "AADSTS9002327" in refused.get_json()["error_description"]
    time.sleep(1.1)
    renewed = client.post(
        f"/{TENANT_ID}/oauth2/v2.0/token",
        data=form,
        base_url=EDGE_HOST,
        headers={**VIA_EDGE, "Origin": SPA_ORIGIN},
    )
    assert renewed.status_code == 200, renewed.get_json()
    rotated = renewed.get_json()["refresh_token"]
    assert rotated != first["refresh_token"]
    assert store.peek(rotated).expires_at == first_expiry  # rotation does not extend it


def test_web_refresh_tokens_keep_the_usual_lifetime(app_and_client):
    app, _ = app_and_client
    assert app.extensions[EXTENSION_KEY].settings.refresh_token_lifetime == 90 * 24 * 3600


@pytest.mark.parametrize(
    "path",
    [
        f"/{TENANT_ID}/oauth2/v2.0/token",
        f"/{TENANT_ID}/discovery/v2.0/keys",
        f"/{TENANT_ID}/v2.0/.well-known/openid-configuration",
    ],
)
def test_cors_preflight_admits_registered_spa_origins_only(client, path):
    asked = {
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type",
    }
    admitted = client.options(path, base_url=EDGE_HOST, headers={"Origin": SPA_ORIGIN, **asked})
    assert admitted.status_code == 200
    assert admitted.headers["Access-Control-Allow-Origin"] == SPA_ORIGIN
    assert "POST" in admitted.headers["Access-Control-Allow-Methods"]
    assert admitted.headers["Access-Control-Allow-Headers"] == "content-type"
    assert "Origin" in admitted.headers["Vary"]
    other = client.options(
        path, base_url=EDGE_HOST, headers={"Origin": "https://evil.example", **asked}
    )
    assert "Access-Control-Allow-Origin" not in other.headers


def test_cors_on_answers_for_spa_origins_and_not_on_other_routes(client):
    keys = client.get(
        f"/{TENANT_ID}/discovery/v2.0/keys", base_url=EDGE_HOST, headers={"Origin": SPA_ORIGIN}
    )
    assert keys.headers["Access-Control-Allow-Origin"] == SPA_ORIGIN
    graph = client.get("/v1.0/me", base_url=EDGE_HOST, headers={"Origin": SPA_ORIGIN})
    assert "Access-Control-Allow-Origin" not in graph.headers


def test_spa_redirect_uris_from_the_control_api(client):
    added = client.post(
        "/_control/apps",
        json={"client_id": SPA_CLIENT_ID, "spa_redirect_uris": ["https://spa.example/app/"]},
    )
    assert added.status_code in (200, 201), added.get_json()
    assert added.get_json()["spa_redirect_uris"] == ["https://spa.example/app/"]
    preflight = client.options(
        f"/{TENANT_ID}/oauth2/v2.0/token", headers={"Origin": "https://spa.example"}
    )
    assert preflight.headers["Access-Control-Allow-Origin"] == "https://spa.example"
    refused = client.post("/_control/apps", json={"client_id": "x", "spa_redirect_uris": "one"})
    assert refused.status_code == 400


def test_issuer_setting_must_be_a_url(tmp_path):
    with pytest.raises(ValueError, match="EMULATOR_ISSUER_URL"):
        EmulatorSettings.from_env({"EMULATOR_ISSUER_URL": "emulator:8443"}, state_dir=tmp_path)
