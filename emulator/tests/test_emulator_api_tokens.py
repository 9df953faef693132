"""Our app as an API: access tokens for its App ID URI, app-only tokens, on-behalf-of (MSAL)."""

from __future__ import annotations

import time

import jwt
import pytest
from emulator_support import AVERY, CLIENT_ID, CLIENT_SECRET, TENANT_ID, graph_get, post_token
from emulator_support import msal_sign_in as sign_in

API_CLIENT_ID = "8d4e2f6a-1b3c-4d5e-9f7a-2c3d4e5f6a7b"
API_CLIENT_SECRET = "dev-only-api-client-secret"
APP_ID_URI = f"api://{CLIENT_ID}"
API_SCOPE = f"{APP_ID_URI}/access_as_user"
JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer"


def claims_of(token: str) -> dict:
    """The (unverified) claims of a token the emulator signed."""
    return jwt.decode(token, options={"verify_signature": False})


@pytest.fixture
def api_client(make_msal_app):
    """The seeded API client (a daemon/CLI) as an unmodified MSAL confidential client."""
    return make_msal_app(client_id=API_CLIENT_ID, client_credential=API_CLIENT_SECRET)


@pytest.fixture
def middle_tier(make_msal_app):
    """Our app (the API) as the MSAL confidential client that performs on-behalf-of."""
    return make_msal_app()


def api_token_for(api_client, browser, username: str = AVERY) -> str:
    """A delegated access token for our API, signed in through the emulator's pages."""
    result = sign_in(api_client, browser, username, scopes=(API_SCOPE,))
    assert "access_token" in result, result
    return str(result["access_token"])


def test_delegated_token_for_our_api_is_v2_with_scp(emulator, browser, api_client):
    claims = claims_of(api_token_for(api_client, browser))
    assert claims["aud"] == CLIENT_ID
    assert claims["iss"] == f"{emulator.url}/{TENANT_ID}/v2.0"
    assert claims["ver"] == "2.0"
    assert claims["scp"] == "access_as_user"
    assert claims["azp"] == API_CLIENT_ID
    assert claims["tid"] == TENANT_ID
    assert claims["preferred_username"] == AVERY
    assert claims["oid"] and claims["sid"]
    assert claims["roles"] == ["Reader"]  # Avery is in Engineering, which holds Reader


def test_graph_refuses_a_token_for_our_api(emulator, browser, api_client):
    response = graph_get(emulator, "/me", api_token_for(api_client, browser))
    assert response.status_code == 401
    assert "Invalid audience" in response.text


def test_app_only_token_for_our_api_carries_the_assigned_roles(emulator):
    status, body = post_token(
        emulator,
        {
            "grant_type": "client_credentials",
            "client_id": API_CLIENT_ID,
            "client_secret": API_CLIENT_SECRET,
            "scope": f"{APP_ID_URI}/.default",
        },
    )
    assert status == 200, body
    claims = claims_of(body["access_token"])
    assert claims["aud"] == CLIENT_ID
    assert claims["idtyp"] == "app"
    assert claims["roles"] == ["Reader"]
    assert claims["azp"] == API_CLIENT_ID
    assert claims["iss"] == f"{emulator.url}/{TENANT_ID}/v2.0"
    assert "scp" not in claims


@pytest.mark.parametrize(
    ("scope", "code", "text"),
    [
        ("api://unknown-api/.default", 500011, "api://unknown-api was not found"),
        (f"{APP_ID_URI}/no_such_scope", 650053, "no_such_scope"),
        (f"{APP_ID_URI}/access_as_user User.Read", 28000, "more than one resource"),
    ],
)
def test_scopes_of_unregistered_apis_or_scopes_are_refused(emulator, scope, code, text):
    status, body = post_token(
        emulator,
        {
            "grant_type": "client_credentials",
            "client_id": API_CLIENT_ID,
            "client_secret": API_CLIENT_SECRET,
            "scope": scope,
        },
    )
    assert status == 400
    assert body["error_codes"] == [code]
    assert text in body["error_description"]


def test_on_behalf_of_with_msal_gives_a_graph_token_for_the_same_user(
    emulator, browser, api_client, middle_tier
):
    incoming = api_token_for(api_client, browser)
    before = emulator.counts()["token_by_grant_type"].get(JWT_BEARER, 0)
    result = middle_tier.acquire_token_on_behalf_of(incoming, ["User.Read"])
    assert "access_token" in result, result
    assert emulator.counts()["token_by_grant_type"][JWT_BEARER] == before + 1
    graph_claims = claims_of(result["access_token"])
    assert graph_claims["aud"] == "https://graph.microsoft.com"
    assert graph_claims["oid"] == claims_of(incoming)["oid"]
    assert graph_claims["appid"] == CLIENT_ID
    me = graph_get(emulator, "/me", result["access_token"])
    assert me.status_code == 200, me.text
    assert me.json()["userPrincipalName"] == AVERY


def obo(emulator, assertion: str, **extra: str) -> tuple[int, dict]:
    """A raw on-behalf-of request by our app."""
    return post_token(
        emulator,
        {
            "grant_type": JWT_BEARER,
            "requested_token_use": "on_behalf_of",
            "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET,
            "assertion": assertion,
            "scope": "https://graph.microsoft.com/User.Read",
        }
        | extra,
    )


def test_on_behalf_of_refuses_a_token_for_another_audience(emulator, browser, make_msal_app):
    graph_token = sign_in(make_msal_app(), browser, AVERY)["access_token"]
    status, body = obo(emulator, graph_token)
    assert status == 400
    assert body["error"] == "invalid_grant"
    assert body["error_codes"] == [50013]
    assert "Assertion audience does not match" in body["error_description"]


def test_on_behalf_of_refuses_a_forged_or_expired_assertion(emulator, browser, api_client):
    incoming = api_token_for(api_client, browser)
    head, payload, signature = incoming.split(".")
    forged = f"{head}.{payload}.{signature[:-4]}AAAA"
    status, body = obo(emulator, forged)
    assert (status, body["error_codes"]) == (400, [50013])
    assert "signature validation" in body["error_description"]

    expired = dict(claims_of(incoming), exp=int(time.time()) - 60, nbf=int(time.time()) - 120)
    resigned = jwt.encode(expired, "not-the-key" * 4, algorithm="HS256")
    status, body = obo(emulator, resigned)
    assert (status, body["error_codes"]) == (400, [50013])


def test_on_behalf_of_refuses_an_expired_assertion(
    short_lived_emulator, make_browser, make_msal_app
):
    client = make_msal_app(
        short_lived_emulator, client_id=API_CLIENT_ID, client_credential=API_CLIENT_SECRET
    )
    incoming = api_token_for(client, make_browser(short_lived_emulator))
    time.sleep(3)
    status, body = obo(short_lived_emulator, incoming)
    assert (status, body["error_codes"]) == (400, [500133])
    assert "not within its valid time range" in body["error_description"]


def test_on_behalf_of_without_consent_is_consent_required(
    emulator, browser, api_client, middle_tier
):
    incoming = api_token_for(api_client, browser)
    result = middle_tier.acquire_token_on_behalf_of(incoming, ["Mail.Read"])
    assert result.get("error") == "invalid_grant", result
    assert result["suberror"] == "consent_required"
    assert 65001 in result["error_codes"]


def test_on_behalf_of_by_a_public_client_is_refused(emulator, browser, api_client):
    incoming = api_token_for(api_client, browser)
    emulator.control(
        "POST", "apps", json={"client_id": "public-obo", "identifier_uris": ["api://public-obo"]}
    )
    status, body = post_token(
        emulator,
        {
            "grant_type": JWT_BEARER,
            "requested_token_use": "on_behalf_of",
            "client_id": "public-obo",
            "assertion": incoming,
            "scope": "User.Read",
        },
    )
    assert status == 401
    assert body["error_codes"] == [7000218]


def test_on_behalf_of_refuses_an_app_only_assertion(emulator):
    status, body = post_token(
        emulator,
        {
            "grant_type": "client_credentials",
            "client_id": API_CLIENT_ID,
            "client_secret": API_CLIENT_SECRET,
            "scope": f"{APP_ID_URI}/.default",
        },
    )
    status, body = obo(emulator, body["access_token"])
    assert (status, body["error_codes"]) == (400, [50013])
    assert "app-only" in body["error_description"]


def test_a_refresh_token_renews_the_token_for_our_api(emulator, browser, api_client):
    first = sign_in(api_client, browser, AVERY, scopes=(API_SCOPE,))
    renewed = api_client.acquire_token_by_refresh_token(first["refresh_token"], [API_SCOPE])
    assert "access_token" in renewed, renewed
    claims = claims_of(renewed["access_token"])
    assert (claims["aud"], claims["scp"]) == (CLIENT_ID, "access_as_user")
    assert renewed["access_token"] != first["access_token"]
