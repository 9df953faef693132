"""Step-up per route, through nginx: a route needing authentication context c1 sends a user
signed in without it to sign in again (with the claims request), the emulator asks the second
factor, and the user arrives; API clients get 401 with the claims challenge; a user who cannot
complete the second factor gets a clear page, not a loop."""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import jwt
import pytest

from native_stack.stack import NativeStack
from tests.support.app_stacks import app_stack_with_policy
from tests.support.browser import Browser
from tests.support.emulator_control import EmulatorControl
from tests.support.sign_in import sign_out_through, signed_in_as

POLICY = {
    "routes": [
        {"path": "/app/payments/", "auth_context": "c1"},
        {"path": "/app/mfa/", "mfa": True},
    ]
}
C1_CLAIMS = {"id_token": {"acrs": {"essential": True, "value": "c1"}}}
# The emulator's seed (emulator/README.md).
AVERY = "avery.chen@contoso.example"
JORDAN = "jordan.patel@contoso.example"
SAM = "sam.rivera@contoso.example"
SECOND_FACTOR_PAGE = "Verify your identity"


@pytest.fixture(scope="module")
def step_up_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[NativeStack]:
    with app_stack_with_policy(tmp_path_factory.mktemp("step-up-stack"), POLICY) as running:
        yield running


def claims_in_login_link(page_history: list) -> dict:
    """The claims request of the /login redirect a browser's journey went through."""
    login = next(step for step in page_history if "/login?" in (step.headers.get("Location") or ""))
    query = parse_qs(urlsplit(login.headers["Location"]).query)
    assert query["next"] == ["/app/payments/report"]
    encoded = query["claims"][0]
    return json.loads(base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4)))


def test_a_user_signed_in_without_the_context_steps_up_and_reaches_the_route(
    step_up_stack: NativeStack,
) -> None:
    url = step_up_stack.public_url
    with signed_in_as(url, AVERY) as avery:
        # A plain route never asks for more.
        plain = avery.get(url + "/app/")
        assert plain.status_code == 200 and not plain.history
        asked = avery.get(url + "/app/payments/report")
        assert asked.status_code == 200 and SECOND_FACTOR_PAGE in asked.text, asked.text[:500]
        assert claims_in_login_link(asked.history) == C1_CLAIMS
        arrived = avery.submit(asked, button="verify")
        assert arrived.status_code == 200, arrived.text[:500]
        assert urlsplit(arrived.url).path == "/app/payments/report"
        # The app sees how the user signed in, in both principals.
        seen = avery.get(url + "/app/whoami", headers={"Accept": "application/json"}).json()
        headers = {name.lower(): value for name, value in seen["headers"].items()}
        principal = json.loads(base64.b64decode(headers["x-client-principal"]))
        claims = [(claim["typ"], claim["val"]) for claim in principal["claims"]]
        assert ("acrs", "c1") in claims and ("amr", "mfa") in claims
        signed = jwt.decode(headers["x-client-principal-jwt"], options={"verify_signature": False})
        assert signed["acrs"] == ["c1"] and signed["amr"] == ["pwd", "mfa"]
        # Stepped up now: the route, and a route needing MFA only, open without asking.
        again = avery.get(url + "/app/payments/")
        assert again.status_code == 200 and not again.history
        mfa = avery.get(url + "/app/mfa/")
        assert mfa.status_code == 200 and not mfa.history
        # A step-up is a new sign-in of the same user: signing out still ends it everywhere.
        sign_out_through(avery, url)
        after = avery.get(url + "/app/payments/", allow_redirects=False)
        assert after.status_code == 302 and after.headers["Location"].startswith("/login")


def test_an_api_client_gets_401_with_the_claims_challenge(step_up_stack: NativeStack) -> None:
    url = step_up_stack.public_url
    with signed_in_as(url, JORDAN) as jordan:
        answer = jordan.get(
            url + "/app/payments/report",
            headers={"Accept": "application/json"},
            allow_redirects=False,
        )
        plain = jordan.get(url + "/app/", headers={"Accept": "application/json"})
    assert answer.status_code == 401
    challenge = answer.headers["WWW-Authenticate"]
    assert challenge.startswith("Bearer ") and 'error="insufficient_claims"' in challenge
    found = re.search(r'claims="([^"]+)"', challenge)
    assert found is not None
    assert json.loads(base64.b64decode(found.group(1))) == C1_CLAIMS
    assert answer.json()["error"]["code"] == "insufficient_claims"
    assert plain.status_code == 200


@pytest.mark.parametrize("failure", ["error", "without_context"])
def test_a_user_who_cannot_complete_the_second_factor_gets_a_clear_page(
    step_up_stack: NativeStack, failure: str
) -> None:
    """The identity platform answers with an error, or with tokens that lack the context."""
    url = step_up_stack.public_url
    with EmulatorControl(step_up_stack) as emulator:
        emulator.set_second_factor(SAM, available=False, failure=failure)
        try:
            with signed_in_as(url, SAM) as sam:
                asked = sam.get(url + "/app/payments/")
                assert SECOND_FACTOR_PAGE in asked.text, asked.text[:500]
                refused = sam.submit(asked, button="verify")
                still_in = sam.get(url + "/app/", allow_redirects=False)
        finally:
            emulator.set_second_factor(SAM, available=True)
    assert refused.status_code == 403, refused.text[-3000:]
    assert refused.headers["Content-Type"].startswith("text/html")
    assert "This page needs a stronger sign-in" in refused.text
    assert urlsplit(refused.url).path != "/app/payments/"
    # Not a loop, and not signed out: the rest of the app still opens.
    assert still_in.status_code == 200


def test_without_a_session_a_step_up_route_asks_to_sign_in_first(
    step_up_stack: NativeStack,
) -> None:
    with Browser() as anonymous:
        answer = anonymous.get(step_up_stack.public_url + "/app/payments/", allow_redirects=False)
    assert answer.status_code == 302 and "claims" not in answer.headers["Location"]
