"""The protected app behind nginx: signed-in users only, told who they are in headers."""

from __future__ import annotations

import base64
import json
from urllib.parse import unquote

import requests

from native_stack.stack import NativeStack
from tests.edge.edge_support import plain_client
from tests.support.browser import Browser
from tests.support.sign_in import sign_in_through

JSON = {"Accept": "application/json"}


def add_emulator_user(stack: NativeStack, upn: str, display_name: str) -> None:
    with requests.Session() as control:
        control.trust_env = False
        control.verify = str(stack.ca_file)
        answer = control.post(
            stack.emulator_url + "/_control/users",
            json={"userPrincipalName": upn, "displayName": display_name, "mail": upn},
            timeout=10,
        )
    answer.raise_for_status()


def test_names_in_any_script_reach_the_app_intact(
    edge_stack: NativeStack, browser: Browser
) -> None:
    upn, name = "zoe.angstrom@contoso.example", "Zoë Ångström-陈 O'Brien 100%"
    add_emulator_user(edge_stack, upn, name)
    sign_in_through(browser, edge_stack.public_url, upn)
    seen = browser.get(edge_stack.public_url + "/app/", headers=JSON).json()
    assert seen["user"]["name"] == name
    raw = seen["headers"]["X-User-Name"]
    assert raw.isascii() and unquote(raw) == name
    assert seen["headers"]["X-User-Email"] == upn  # printable ASCII travels as it is
    principal = json.loads(base64.b64decode(seen["headers"]["X-Client-Principal"]))
    claims = {claim["typ"]: claim["val"] for claim in principal["claims"]}
    assert principal["auth_typ"] == "aad" and claims["name"] == name
    assert claims["preferred_username"] == upn


def test_the_app_gets_the_original_path_and_query(
    edge_stack: NativeStack, signed_in_browser: Browser
) -> None:
    seen = signed_in_browser.get(
        edge_stack.public_url + "/app/reports/2026?team=a%20b&x=1", headers=JSON
    ).json()
    assert seen["path"] == "/app/reports/2026?team=a%20b&x=1"


def test_the_app_path_without_its_slash_redirects_to_it(edge_stack: NativeStack) -> None:
    with plain_client() as client:
        answer = client.get(edge_stack.public_url + "/app", allow_redirects=False, timeout=10)
    assert answer.status_code == 301
    assert answer.headers["Location"].endswith("/app/")


def test_without_a_session_browsers_are_sent_to_sign_in_with_the_way_back(
    edge_stack: NativeStack,
) -> None:
    with plain_client() as client:
        page = client.get(
            edge_stack.public_url + "/app/reports?year=2026&q=a%20b",
            headers={"Accept": "text/html"},
            allow_redirects=False,
            timeout=10,
        )
        api = client.post(edge_stack.public_url + "/app/api/items", headers=JSON, timeout=10)
    assert page.status_code == 302
    assert page.headers["Location"] == "/login?next=%2Fapp%2Freports%3Fyear%3D2026%26q%3Da%2520b"
    assert api.status_code == 401
    assert api.json()["error"] == {
        "code": "unauthenticated",
        "message": "Sign in to use this app.",
        "login_url": "/login?next=%2Fapp%2Fapi%2Fitems",
    }
