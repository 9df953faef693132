"""No client can make graph-service act for a user it is not signed in as."""

from __future__ import annotations

import time

import jwt

from native_stack.stack import NativeStack
from signin_core.identity.assertions import AUDIENCE, HEADER_NAME, ISSUER
from tests.conftest import SignIn
from tests.support.browser import Browser, plain_get


def forged_assertion(subject: str, key: str = "an-attacker-key-that-is-long-enough-000") -> str:
    now = int(time.time())
    claims = {"iss": ISSUER, "aud": AUDIENCE, "iat": now, "exp": now + 60, "sub": subject}
    return jwt.encode(claims, key, algorithm="HS256")


def test_forged_assertion_through_nginx_is_401(stack: NativeStack) -> None:
    answer = plain_get(
        stack.public_url + "/graph/me", {HEADER_NAME: forged_assertion("victim.tenant")}
    )
    assert answer.status_code == 401
    assert answer.json()["error"]["code"] == "unauthenticated"


def test_forged_assertion_of_signed_in_user_is_replaced_by_nginx(
    stack: NativeStack, browser: Browser, sign_in: SignIn
) -> None:
    assert stack.registration is not None
    me, other = stack.registration.usernames[0], stack.registration.usernames[1]
    sign_in(me)
    other_assertion = forged_assertion(f"{other}-home-id")
    answer = browser.get(stack.public_url + "/graph/me", headers={HEADER_NAME: other_assertion})
    assert answer.status_code == 200
    assert answer.json()["userPrincipalName"].lower() == me.lower()


def test_graph_service_port_is_not_a_way_in(stack: NativeStack) -> None:
    direct = f"http://127.0.0.1:{stack.graph_port}/graph/me"
    assert plain_get(direct, {}).status_code == 401
    forged = plain_get(direct, {HEADER_NAME: forged_assertion("victim.tenant")})
    assert forged.status_code == 401
    assert forged.json()["error"]["code"] == "unauthenticated"
    unsigned = jwt.encode(
        {"sub": "victim", "iss": ISSUER, "aud": AUDIENCE}, key="", algorithm="none"
    )
    assert plain_get(direct, {HEADER_NAME: unsigned}).status_code == 401


def test_session_check_is_not_reachable_by_clients(stack: NativeStack) -> None:
    for path in ("/_auth/check", "/_auth/check/", "/_auth/anything"):
        assert plain_get(stack.public_url + path, {}).status_code == 404
