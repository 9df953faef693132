"""The sign-in steps: log in, complete the log-in at the callback, log out."""

from __future__ import annotations

import logging
import secrets
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

import msal
from flask import Blueprint, Flask, redirect, render_template, request, session
from flask.typing import ResponseReturnValue

from auth_service.error_pages import error_page
from auth_service.login_parameters import claims_challenge, requested_scopes
from auth_service.redirect_targets import safe_relative_path
from auth_service.signed_in_user import SessionUser, signed_in
from signin_core.identity.msal_client import IDENTITY_PLATFORM_FAILURES

if TYPE_CHECKING:
    from auth_service.service import AuthService

log = logging.getLogger(__name__)


def _retry_page(message: str, *, error_code: str | None = None) -> ResponseReturnValue:
    return error_page(
        400, "Your sign-in did not complete", message, retry_url="/login", error_code=error_code
    )


def log_in(state: AuthService) -> ResponseReturnValue:
    """Start the auth code flow and send the browser to the identity platform.

    `scopes` adds Graph scopes (incremental consent), `claims` carries a claims challenge
    (base64url JSON), and `next` is where to return: a relative path only.
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
            scopes, redirect_uri=state.settings.redirect_uri, claims_challenge=claims
        )
    except IDENTITY_PLATFORM_FAILURES as error:
        log.warning("identity platform unreachable at log-in: %s", type(error).__name__)
        return error_page(
            502,
            "Microsoft sign-in is unreachable",
            "We could not reach the sign-in service. Please try again in a moment.",
            retry_url="/login",
        )
    session["auth_flow"] = flow
    session["next"] = safe_relative_path(request.args.get("next"))
    return redirect(flow["auth_uri"])


def complete_log_in(state: AuthService) -> ResponseReturnValue:
    """Redeem the authorization code, keep the tokens, and sign the user in."""
    flow = session.pop("auth_flow", None)
    next_path = safe_relative_path(session.pop("next", None))
    if not isinstance(flow, dict):
        return _retry_page("Your sign-in expired or was already used. Please sign in again.")
    auth_response = request.values.to_dict()
    try:
        client = state.resources.clients.build(msal.SerializableTokenCache())
        result: dict[str, Any] = client.acquire_token_by_auth_code_flow(flow, auth_response)
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
        return _sign_in_refused(result)
    accounts = client.get_accounts()
    claims = result.get("id_token_claims") or {}
    if not accounts or not claims:
        return _retry_page("The sign-in answer had no account in it. Please sign in again.")
    home_account_id = accounts[0]["home_account_id"]
    state.resources.tokens.merge_sign_in(home_account_id, client.token_cache)
    state.sessions.regenerate(session)
    session["user"] = {
        "home_account_id": home_account_id,
        "oid": claims.get("oid", ""),
        "tid": claims.get("tid", ""),
        "name": claims.get("name", ""),
        "username": claims.get("preferred_username", ""),
    }
    session["csrf"] = secrets.token_urlsafe(32)
    return redirect(next_path)


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
    """End the local session, delete the token cache, and sign out at the identity platform."""
    sent = request.form.get("csrf", "")
    if not sent or not secrets.compare_digest(sent, str(session.get("csrf", ""))):
        return error_page(
            400,
            "Sign-out not confirmed",
            "This sign-out request did not come from our sign-out page, so nothing was done.",
            retry_url="/logout",
        )
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
