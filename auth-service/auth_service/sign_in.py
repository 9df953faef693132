"""The sign-in steps: log in, complete the log-in at the callback, log out."""

from __future__ import annotations

import logging
import secrets
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

import msal
from flask import (
    Blueprint,
    Flask,
    Response,
    make_response,
    redirect,
    render_template,
    request,
    session,
)
from flask.typing import ResponseReturnValue

from auth_service.error_pages import error_page
from auth_service.group_memberships import has_group_overage
from auth_service.login_parameters import claims_challenge, requested_scopes
from auth_service.redirect_targets import safe_relative_path
from auth_service.sessions import IDENTITY_SESSION, SIGN_IN, USER
from auth_service.signed_in_user import SessionUser, signed_in
from auth_service.step_up import StepUp, step_up_failed
from signin_core.identity.msal_client import IDENTITY_PLATFORM_FAILURES

if TYPE_CHECKING:
    from auth_service.service import AuthService
    from auth_service.sign_in_flows import FlowsInBrowser, KeptFlow

log = logging.getLogger(__name__)


def _retry_page(message: str, *, error_code: str | None = None) -> ResponseReturnValue:
    return error_page(
        400, "Your sign-in did not complete", message, retry_url="/login", error_code=error_code
    )


def _keeping_flows(
    state: AuthService, answer: ResponseReturnValue, flows: FlowsInBrowser
) -> Response:
    """answer, with the browser's cookie of sign-ins in progress brought up to date."""
    response: Response = make_response(answer)
    state.flows.write(response, flows)
    return response


def log_in(state: AuthService) -> ResponseReturnValue:
    """Start the auth code flow and send the browser to the identity platform.

    `scopes` adds Graph scopes (incremental consent), `claims` carries a claims challenge
    (base64url JSON), and `next` is where to return: a relative path only. The flow is kept
    in this browser (sign_in_flows.py), not in the session: nothing is stored for a visitor
    who is not signed in. The answer comes back as a form POST (response_mode=form_post), so
    the authorization code never sits in a URL, a log or the browser's history.
    """
    try:
        extra_scopes = requested_scopes(request.args.get("scopes"))
        claims = claims_challenge(request.args.get("claims"))
    except ValueError as error:
        return error_page(400, "This sign-in link is not valid", str(error), retry_url="/login")
    scopes = list(dict.fromkeys([*state.settings.scopes, *extra_scopes]))
    try:
        client = state.resources.clients.build(msal.SerializableTokenCache())
        flow = client.initiate_auth_code_flow(
            scopes,
            redirect_uri=state.settings.redirect_uri,
            claims_challenge=claims,
            response_mode="form_post",
        )
    except IDENTITY_PLATFORM_FAILURES as error:
        log.warning("identity platform unreachable at log-in: %s", type(error).__name__)
        return error_page(
            502,
            "Microsoft sign-in is unreachable",
            "We could not reach the sign-in service. Please try again in a moment.",
            retry_url="/login",
        )
    flows = state.flows.read(request)
    try:
        state.flows.add(flows, flow, safe_relative_path(request.args.get("next")))
    except ValueError as error:
        return error_page(400, "This sign-in link is not valid", str(error), retry_url="/login")
    return _keeping_flows(state, redirect(flow["auth_uri"]), flows)


def complete_log_in(state: AuthService) -> ResponseReturnValue:
    """Redeem the authorization code of a sign-in this browser started, and sign the user in."""
    flows = state.flows.read(request)
    kept = state.flows.take(flows, request.values.get("state"))
    if kept is None:
        answer = _retry_page(
            "This sign-in does not match the one we started. Please sign in again."
            if flows.by_state
            else "Your sign-in expired or was already used. Please sign in again."
        )
    else:
        answer = _complete_kept_flow(state, kept)
    return _keeping_flows(state, answer, flows)


def _complete_kept_flow(state: AuthService, kept: KeptFlow) -> ResponseReturnValue:
    auth_response = request.values.to_dict()
    # Read before MSAL redeems the code: it takes the claims challenge out of the flow.
    asked = StepUp.asked_in(kept.flow.get("claims_challenge"))
    try:
        client = state.resources.clients.build(msal.SerializableTokenCache())
        result: dict[str, Any] = client.acquire_token_by_auth_code_flow(kept.flow, auth_response)
    except IDENTITY_PLATFORM_FAILURES as error:
        log.warning("identity platform unreachable at callback: %s", type(error).__name__)
        return error_page(
            502,
            "Microsoft sign-in is unreachable",
            "We could not finish signing you in. Please try again in a moment.",
            retry_url="/login",
        )
    except ValueError:
        return _retry_page("This sign-in does not match the one we started. Please sign in again.")
    if "error" in result:
        if asked is not None:
            return step_up_failed(asked, error_code=_error_code_of(result))
        return _sign_in_refused(result)
    accounts = client.get_accounts()
    claims = result.get("id_token_claims") or {}
    if not accounts or not claims:
        return _retry_page("The sign-in answer had no account in it. Please sign in again.")
    if asked is not None and not asked.met_by(claims):
        log.info("step-up sign-in came back without what it asked for")
        return step_up_failed(asked)
    allowed = state.settings.tenant_allowlist
    if allowed is not None and str(claims.get("tid", "")).lower() not in allowed:
        log.info("sign-in refused: tenant not on the allowlist")
        return error_page(
            403,
            "Your organization is not allowed",
            "This app accepts accounts of certain organizations only, and yours is not one of "
            "them. Sign in with an account of an allowed organization, or ask this app's "
            "administrator to allow yours.",
            retry_url="/login",
            error_code="tenant_not_allowed",
        )
    home_account_id = accounts[0]["home_account_id"]
    generation = state.sign_ins.start(home_account_id)
    state.resources.tokens.merge_sign_in(home_account_id, client.token_cache)
    groups = _names_in(claims.get("groups"))
    if has_group_overage(claims):
        groups = state.groups.of(home_account_id) or []
    state.sessions.regenerate(session)
    session.clear()
    session[USER] = {
        "home_account_id": home_account_id,
        "oid": claims.get("oid", ""),
        "tid": claims.get("tid", ""),
        "name": claims.get("name", ""),
        "username": claims.get("preferred_username") or _first_email(claims),
        "roles": _names_in(claims.get("roles")),
        "groups": groups,
        # What the sign-in proved (step_up.py): Conditional Access contexts and methods.
        "acrs": _names_in(claims.get("acrs")),
        "amr": _names_in(claims.get("amr")),
        SIGN_IN: generation,
    }
    session["csrf"] = secrets.token_urlsafe(32)
    # For front-channel logout (front_channel_logout.py): the identity platform's session.
    session[IDENTITY_SESSION] = {
        "sid": str(claims.get("sid", "")),
        "iss": str(claims.get("iss", "")),
    }
    return redirect(kept.next_path)


def _first_email(claims: dict[str, Any]) -> str:
    """A B2C user flow's user name: its first `emails` entry (it sends no preferred_username)."""
    emails = _names_in(claims.get("emails"))
    return emails[0] if emails else ""


def _names_in(claim: Any) -> list[str]:
    """A roles or groups claim as a list of names (absent or malformed: none)."""
    if not isinstance(claim, list):
        return []
    return [str(name) for name in claim if isinstance(name, str) and name]


def _error_code_of(result: dict[str, Any]) -> str:
    """The AADSTS code of an identity platform error (or its OAuth error)."""
    description = str(result.get("error_description", ""))
    aadsts = description.split(":", 1)[0] if description.startswith("AADSTS") else None
    return aadsts or str(result.get("error", "error"))


def _sign_in_refused(result: dict[str, Any]) -> ResponseReturnValue:
    error = str(result.get("error", "error"))
    description = str(result.get("error_description", ""))
    aadsts = description.split(":", 1)[0] if description.startswith("AADSTS") else None
    if error == "access_denied":
        message = "You cancelled the sign-in or declined the permissions this app asked for."
    else:
        message = "Microsoft refused the sign-in: " + (description.splitlines()[0] or error)
    return _retry_page(message, error_code=aadsts or error)


@signed_in(otherwise=lambda: redirect("/"))
def confirm_log_out(*, user: SessionUser) -> ResponseReturnValue:
    """Show a page that asks the user to confirm signing out."""
    return render_template("logout_confirm.html", csrf=session.get("csrf", ""))


@signed_in(otherwise=lambda: redirect("/"))
def log_out(state: AuthService, *, user: SessionUser) -> ResponseReturnValue:
    """Sign the user out everywhere, delete the token cache, sign out at the identity platform.

    Ending the user's sign-in record refuses every other session of theirs at its next
    request, as the identity platform's own sign-out ends the user's sign-in on every app.
    """
    sent = request.form.get("csrf", "")
    if not sent or not secrets.compare_digest(sent, str(session.get("csrf", ""))):
        return error_page(
            400,
            "Sign-out not confirmed",
            "This sign-out request did not come from our sign-out page, so nothing was done.",
            retry_url="/logout",
        )
    state.sign_ins.end(user["home_account_id"])
    state.resources.tokens.delete(user["home_account_id"])
    session.clear()
    try:
        return redirect(_identity_platform_logout_url(state))
    except IDENTITY_PLATFORM_FAILURES as error:
        # Signed out here already; the identity platform's own sign-out has to wait.
        log.warning("identity platform unreachable at log-out: %s", type(error).__name__)
        return redirect("/")


def _identity_platform_logout_url(state: AuthService) -> str:
    client = state.resources.clients.build(msal.SerializableTokenCache())
    authorize = client.authority.authorization_endpoint
    logout = authorize.rsplit("/authorize", 1)[0] + "/logout"
    query = urlencode(
        {"post_logout_redirect_uri": state.settings.public_url + "/", "client_id": client.client_id}
    )
    return f"{logout}?{query}"


def init_app(app: Flask, state: AuthService) -> None:
    """Install the sign-in routes; the callback lives at the configured redirect path."""
    blueprint = Blueprint("sign_in", __name__)
    blueprint.add_url_rule("/login", view_func=state.bind(log_in))
    blueprint.add_url_rule("/logout", view_func=confirm_log_out)
    blueprint.add_url_rule("/logout", view_func=state.bind(log_out), methods=["POST"])
    app.register_blueprint(blueprint)
    callback = state.bind(complete_log_in)
    app.add_url_rule(state.settings.redirect_path, view_func=callback, methods=["GET", "POST"])
