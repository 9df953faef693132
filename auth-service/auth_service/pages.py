"""The pages people see, and the session checks nginx asks for."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from flask import Blueprint, Flask, jsonify, redirect, render_template, request, session
from flask.typing import ResponseReturnValue

from auth_service.app_identity_headers import identity_headers, user_email
from auth_service.app_principal import APP_PRINCIPAL_HEADER, JWKS_PATH
from auth_service.bearer_check import AUTHORIZATION_HEADER, bearer_check
from auth_service.error_pages import error_page, wants_json
from auth_service.redirect_targets import safe_relative_path
from auth_service.signed_in_user import SessionUser, signed_in
from auth_service.step_up import STEP_UP_DENIED, step_up_answer
from signin_core.errors import StoreUnavailableError
from signin_core.identity.assertions import GRANT_HEADER_NAME, HEADER_NAME, SignedInUser

if TYPE_CHECKING:
    from auth_service.service import AuthService

log = logging.getLogger(__name__)
ORIGINAL_URI_HEADER = "X-Original-URI"
# The check's 403 says why: the route policy refused the user, or (X-Auth-Unavailable) the
# session store did not answer; nginx sends both to /_auth/refused, which tells them apart.
DENIED_HEADER = "X-Auth-Denied"
UNAVAILABLE_HEADER = "X-Auth-Unavailable"


def login_url(next_path: str) -> str:
    """The /login link that comes back to next_path (a relative path) after signing in."""
    return "/login?" + urlencode({"next": safe_relative_path(next_path)})


def page_context(*, app_path: str | None) -> dict[str, Any]:
    """What every page's header needs: the signed-in user (or None) and the app's path."""
    user = session.get("user")
    profile = None
    if user:
        name = str(user.get("name") or user.get("username") or "")
        initials = "".join(word[0] for word in name.split()[:2]).upper()
        profile = {"name": name, "email": user_email(user), "initials": initials or "?"}
    return {"user": user, "profile": profile, "app_path": app_path}


def home() -> ResponseReturnValue:
    """The home page: a sign-in button, or the signed-in user's profile and what to do next."""
    return render_template("home.html")


@signed_in(otherwise=lambda: redirect(login_url("/users")))
def users(*, user: SessionUser) -> ResponseReturnValue:
    """The quickstart's user list; users.js fills the table from /graph/users."""
    return render_template("users.html")


def auth_check(state: AuthService) -> ResponseReturnValue:
    """For nginx auth_request: an API client's bearer token when nginx passed one (never then
    the cookie), else the browser's session."""
    if request.headers.get(AUTHORIZATION_HEADER) is not None:
        return bearer_check(state, request.headers[AUTHORIZATION_HEADER], vouched)
    return session_check(state)


@signed_in(otherwise=lambda: ("", 401, {"Cache-Control": "no-store"}))
def session_check(state: AuthService, *, user: SessionUser) -> ResponseReturnValue:
    """For nginx auth_request: 200 with a signed assertion, identity headers and the app's
    signed principal, 401 without a session, 403 when the app's route policy refuses the
    user this path."""
    return vouched(state, user)


def vouched(
    state: AuthService, user: SessionUser, *, bearer_token_hash: str = ""
) -> ResponseReturnValue:
    """The check's answer for a user (of a session, or of a bearer token): 200 with what nginx
    hands on, or 403 when the route policy refuses the user this path."""
    decision = state.policy.decide(
        request.headers.get(ORIGINAL_URI_HEADER, "/"),
        user.get("roles") or [],
        user.get("groups") or [],
        acrs=user.get("acrs") or [],
        amr=user.get("amr") or [],
    )
    if not decision.allowed:
        assert decision.rule is not None
        log.info("route policy refused the user %s", decision.rule.path)
        denied = STEP_UP_DENIED if decision.step_up else "policy"
        return "", 403, {DENIED_HEADER: denied, "Cache-Control": "no-store"}
    signed_in_user = SignedInUser(
        home_account_id=user["home_account_id"],
        object_id=user.get("oid", ""),
        tenant_id=user.get("tid", ""),
        name=user.get("name", ""),
        username=user.get("username", ""),
        bearer_token_hash=bearer_token_hash,
        is_app=user.get("idtyp") == "app",
    )
    assertions = state.resources.assertions
    headers = {
        HEADER_NAME: assertions.issue(signed_in_user),
        "Cache-Control": "no-store",
        **identity_headers(user),
    }
    if not bearer_token_hash:
        # nginx hands this one to the app only, for its backend's calls to graph-service (a
        # session's user only: an API client's token stays with its request).
        headers[GRANT_HEADER_NAME] = assertions.issue_grant(signed_in_user)
    headers[APP_PRINCIPAL_HEADER] = state.principals.issue(user)
    return "", 200, headers


def jwks(state: AuthService) -> ResponseReturnValue:
    """The public keys the app verifies its signed principal with (every configured key)."""
    return jsonify(state.principals.jwks()), 200, {"Cache-Control": "public, max-age=300"}


def sign_in_required() -> ResponseReturnValue:
    """For nginx, when a protected app has no session: browsers go to /login, APIs get 401."""
    back_to = login_url(request.headers.get(ORIGINAL_URI_HEADER, "/"))
    if wants_json():
        body = {
            "error": {
                "code": "unauthenticated",
                "message": "Sign in to use this app.",
                "login_url": back_to,
            }
        }
        return jsonify(body), 401, {"Cache-Control": "no-store"}
    return redirect(back_to)


def refused(state: AuthService) -> ResponseReturnValue:
    """For nginx, when the session check answered 403: the store was down (503), the route
    needs a stronger sign-in (step_up.py), or the route policy refused the user (403): JSON
    for API clients, a page for browsers."""
    if request.headers.get(UNAVAILABLE_HEADER):
        raise StoreUnavailableError("session store unavailable")
    original_uri = request.headers.get(ORIGINAL_URI_HEADER, "/")
    user = session.get("user") or {}
    decision = state.policy.decide(
        original_uri,
        user.get("roles") or [],
        user.get("groups") or [],
        acrs=user.get("acrs") or [],
        amr=user.get("amr") or [],
    )
    if user and decision.step_up and decision.rule is not None:
        return step_up_answer(decision.rule, original_uri)
    message = "Your account does not have the role or group this page needs."
    if wants_json():
        body = {"error": {"code": "forbidden", "message": message}}
        return jsonify(body), 403, {"Cache-Control": "no-store"}
    return error_page(403, "You do not have access to this page", message)


def init_app(app: Flask, state: AuthService) -> None:
    """Install the pages, nginx's session checks, and what every page's header needs."""
    blueprint = Blueprint("pages", __name__)
    blueprint.add_url_rule("/", view_func=home)
    blueprint.add_url_rule("/users", view_func=users)
    blueprint.add_url_rule(
        "/_auth/check", endpoint="session_check", view_func=state.bind(auth_check)
    )
    blueprint.add_url_rule("/_auth/sign-in-required", view_func=sign_in_required)
    blueprint.add_url_rule("/_auth/refused", view_func=state.bind(refused))
    blueprint.add_url_rule(JWKS_PATH, endpoint="jwks", view_func=state.bind(jwks))
    app.register_blueprint(blueprint)
    app_path = state.settings.app_path
    app.context_processor(lambda: page_context(app_path=app_path))
