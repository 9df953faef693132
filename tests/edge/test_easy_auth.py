"""App Service authentication's routes and headers, off Azure: an app written for App Service
finds /.auth/me, /.auth/login/aad, /.auth/logout and X-MS-CLIENT-PRINCIPAL as it expects."""

from __future__ import annotations

import base64
import json
from urllib.parse import parse_qs, urlsplit

from native_stack.stack import NativeStack
from tests.edge.edge_support import plain_client
from tests.support.browser import Browser

JSON = {"Accept": "application/json"}


def test_auth_me_answers_the_principal_in_app_service_shape(
    edge_stack: NativeStack, signed_in_browser: Browser
) -> None:
    assert edge_stack.registration is not None
    answer = signed_in_browser.get(edge_stack.public_url + "/.auth/me", headers=JSON)
    assert answer.status_code == 200, answer.text
    assert answer.headers["Cache-Control"] == "no-store"
    (entry,) = answer.json()
    assert entry["provider_name"] == "aad"
    assert entry["user_id"].lower() == edge_stack.registration.usernames[0].lower()
    claims = {claim["typ"]: claim["val"] for claim in entry["user_claims"]}
    assert claims["name"] == edge_stack.registration.display_names[0]
    assert claims["tid"] == edge_stack.registration.tenant_id and claims["oid"]
    # We never hand tokens out, not even to the browser.
    assert not {"access_token", "id_token", "refresh_token"} & set(entry)


def test_auth_me_without_a_session_is_401(edge_stack: NativeStack) -> None:
    with plain_client() as client:
        answer = client.get(edge_stack.public_url + "/.auth/me", headers=JSON, timeout=10)
    assert answer.status_code == 401
    assert answer.json()["error"]["code"] == "unauthenticated"


def test_the_sign_in_and_sign_out_links_lead_to_ours(edge_stack: NativeStack) -> None:
    with plain_client() as client:
        login = client.get(
            edge_stack.public_url + "/.auth/login/aad?post_login_redirect_uri=/app/whoami",
            timeout=10,
            allow_redirects=False,
        )
        elsewhere = client.get(
            edge_stack.public_url
            + "/.auth/login/aad?post_login_redirect_uri=https://evil.example/",
            timeout=10,
            allow_redirects=False,
        )
        logout = client.get(
            edge_stack.public_url + "/.auth/logout", timeout=10, allow_redirects=False
        )
    target = urlsplit(login.headers["Location"])
    assert login.status_code == 302 and target.path == "/login"
    assert parse_qs(target.query)["next"] == ["/app/whoami"]
    assert parse_qs(urlsplit(elsewhere.headers["Location"]).query)["next"] == ["/"]
    assert logout.status_code == 302 and logout.headers["Location"] == "/logout"


def test_an_app_reading_x_ms_client_principal_finds_the_user(
    edge_stack: NativeStack, signed_in_browser: Browser
) -> None:
    assert edge_stack.registration is not None
    seen = signed_in_browser.get(edge_stack.public_url + "/app/whoami", headers=JSON).json()
    headers = {name.lower(): value for name, value in seen["headers"].items()}
    principal = json.loads(base64.b64decode(headers["x-ms-client-principal"]))
    claims = {claim["typ"]: claim["val"] for claim in principal["claims"]}
    assert principal["auth_typ"] == "aad"
    assert claims["name"] == edge_stack.registration.display_names[0]
    assert headers["x-ms-client-principal-id"] == claims["oid"]
    assert headers["x-ms-client-principal-name"].lower() == (
        edge_stack.registration.usernames[0].lower()
    )
    assert headers["x-ms-client-principal-idp"] == "aad"
