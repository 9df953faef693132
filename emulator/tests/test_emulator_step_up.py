"""Step-up with unmodified MSAL Python: an `acrs` claims request asks for a second factor,
and the tokens then carry the contexts satisfied and `amr` with "mfa"."""

from __future__ import annotations

import json
from urllib.parse import urljoin

import jwt
from emulator_support import AVERY, JORDAN, parse_page, random_redirect_uri
from emulator_support import msal_sign_in as sign_in

CONTEXT_C1 = json.dumps({"id_token": {"acrs": {"essential": True, "value": "c1"}}})


def claims_of(token: str) -> dict:
    return jwt.decode(token, options={"verify_signature": False})


def step_up_sign_in(app, browser, username: str, claims: str, second_factor: str = "verify"):
    """Sign in (picking the account if the browser has no session), see the second-factor
    page, answer it; return MSAL's result and the second-factor page's text."""
    redirect_uri = random_redirect_uri()
    flow = app.initiate_auth_code_flow(
        ["User.Read"], redirect_uri=redirect_uri, claims_challenge=claims, response_mode="form_post"
    )
    status, _, page = browser.fetch("GET", flow["auth_uri"])
    form = parse_page(page).forms[0]
    if any(button["name"] == "username" for button in form["buttons"]):
        action = urljoin(flow["auth_uri"], form["action"])
        status, _, page = browser.fetch("POST", action, {**form["hidden"], "username": username})
    assert status == 200 and "Verify your identity" in page, page[:500]
    form = parse_page(page).forms[0]
    action = urljoin(flow["auth_uri"], form["action"])
    status, _, answer = browser.fetch(
        "POST", action, {**form["hidden"], "second_factor": second_factor}
    )
    posted = parse_page(answer).forms[0]  # the form_post answer to the redirect URI
    assert status == 200 and posted["action"].startswith(redirect_uri), answer[:500]
    return app.acquire_token_by_auth_code_flow(flow, dict(posted["hidden"])), page


def test_a_plain_sign_in_has_no_acrs_and_a_password_only_amr(browser, make_msal_app):
    result = sign_in(make_msal_app(), browser, AVERY)
    assert "acrs" not in result["id_token_claims"]
    assert result["id_token_claims"]["amr"] == ["pwd"]
    assert claims_of(result["access_token"])["amr"] == ["pwd"]


def test_a_context_request_asks_the_second_factor_then_tokens_carry_acrs_and_mfa(
    browser, make_msal_app
):
    app = make_msal_app()
    sign_in(app, browser, AVERY)  # signed in with a password only: a session exists
    result, _ = step_up_sign_in(app, browser, AVERY, CONTEXT_C1)
    assert result["id_token_claims"]["acrs"] == ["c1"]
    assert result["id_token_claims"]["amr"] == ["pwd", "mfa"]
    access = claims_of(result["access_token"])
    assert access["acrs"] == ["c1"] and access["amr"] == ["pwd", "mfa"]


def test_the_second_factor_counts_for_the_rest_of_the_browser_session(browser, make_msal_app):
    app = make_msal_app()
    step_up_sign_in(app, browser, AVERY, CONTEXT_C1)
    c2 = json.dumps({"id_token": {"acrs": {"essential": True, "value": "c2"}}})
    redirect_uri = random_redirect_uri()
    flow = app.initiate_auth_code_flow(
        ["User.Read"], redirect_uri=redirect_uri, claims_challenge=c2, response_mode="form_post"
    )
    response = browser.run(flow["auth_uri"], [], redirect_uri)  # no page at all
    result = app.acquire_token_by_auth_code_flow(flow, response)
    assert result["id_token_claims"]["acrs"] == ["c2"]


def test_an_essential_amr_request_for_mfa_asks_the_second_factor(browser, make_msal_app):
    mfa = json.dumps({"id_token": {"amr": {"essential": True, "values": ["mfa"]}}})
    result, _ = step_up_sign_in(make_msal_app(), browser, JORDAN, mfa)
    assert result["id_token_claims"]["amr"] == ["pwd", "mfa"]
    assert "acrs" not in result["id_token_claims"]


def test_a_context_no_policy_targets_is_added_without_a_second_factor(browser, make_msal_app):
    unknown = json.dumps({"id_token": {"acrs": {"essential": True, "value": "payments"}}})
    result = sign_in(make_msal_app(), browser, AVERY, claims_challenge=unknown)
    assert result["id_token_claims"]["acrs"] == ["payments"]
    assert result["id_token_claims"]["amr"] == ["pwd"]


def test_a_user_who_cannot_complete_the_second_factor_gets_an_error(
    emulator, browser, make_msal_app
):
    emulator.control("POST", f"users/{JORDAN}/second-factor", json={"available": False})
    result, page = step_up_sign_in(make_msal_app(), browser, JORDAN, CONTEXT_C1)
    assert "no verification method" in page
    assert result["error"] == "access_denied"
    assert "AADSTS500121" in result["error_description"]


def test_a_failed_second_factor_can_instead_end_in_tokens_without_the_context(
    emulator, browser, make_msal_app
):
    emulator.control(
        "POST",
        f"users/{JORDAN}/second-factor",
        json={"available": False, "failure": "without_context"},
    )
    result, _ = step_up_sign_in(make_msal_app(), browser, JORDAN, CONTEXT_C1)
    assert "acrs" not in result["id_token_claims"]
    assert result["id_token_claims"]["amr"] == ["pwd"]


def test_cancelling_the_second_factor_is_an_error_too(browser, make_msal_app):
    result, _ = step_up_sign_in(make_msal_app(), browser, AVERY, CONTEXT_C1, second_factor="cancel")
    assert result["error"] == "access_denied"


def test_a_refresh_asking_for_a_context_the_sign_in_lacks_needs_interaction(browser, make_msal_app):
    app = make_msal_app()
    sign_in(app, browser, AVERY)
    silent = app.acquire_token_silent_with_error(
        ["User.Read"], account=app.get_accounts()[0], claims_challenge=CONTEXT_C1
    )
    assert silent["error"] == "invalid_grant"
    assert "AADSTS50076" in silent["error_description"]


def test_the_control_api_refuses_a_malformed_second_factor_setting(emulator):
    answer = emulator.http.post(
        f"{emulator.url}/_control/users/{AVERY}/second-factor", json={"available": "no"}, timeout=10
    )
    assert answer.status_code == 400 and "available" in answer.json()["error"]
    answer = emulator.http.post(
        f"{emulator.url}/_control/users/{AVERY}/second-factor",
        json={"available": False, "failure": "sometimes"},
        timeout=10,
    )
    assert answer.status_code == 400 and "failure must be one of" in answer.json()["error"]
