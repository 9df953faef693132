"""The pages people see, and the session checks nginx asks for."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, jsonify, redirect, render_template, request, session
from flask.typing import ResponseReturnValue

from auth_service.app_identity_headers import identity_headers, user_email
from auth_service.extensions import service_state
from auth_service.redirect_targets import safe_relative_path
from signin_state.identity_assertion import HEADER_NAME, SignedInUser

blueprint = Blueprint("pages", __name__)
ORIGINAL_URI_HEADER = "X-Original-URI"


def login_url(next_path: str) -> str:
    """The /login link that comes back to next_path (a relative path) after signing in."""
    return "/login?" + urlencode({"next": safe_relative_path(next_path)})


@blueprint.app_context_processor
def page_context() -> dict[str, Any]:
    """What every page's header needs: the signed-in user (or None) and the app's path."""
    user = session.get("user")
    profile = None
    if user:
        name = str(user.get("name") or user.get("username") or "")
        initials = "".join(word[0] for word in name.split()[:2]).upper()
        profile = {"name": name, "email": user_email(user), "initials": initials or "?"}
    return {"user": user, "profile": profile, "app_path": service_state().settings.app_path}


@blueprint.get("/")
def home() -> ResponseReturnValue:
    """The home page: a sign-in button, or the signed-in user's profile and what to do next."""
    return render_template("home.html")


@blueprint.get("/users")
def users() -> ResponseReturnValue:
    """The quickstart's user list; users.js fills the table from /graph/users."""
    if not session.get("user"):
        return redirect(login_url("/users"))
    return render_template("users.html")


@blueprint.get("/_auth/check")
def session_check() -> ResponseReturnValue:
    """For nginx auth_request: 200 with a signed assertion and identity headers, or 401."""
    user = session.get("user")
    if not user:
        return "", 401, {"Cache-Control": "no-store"}
    assertion = service_state().resources.assertions.issue(
        SignedInUser(
            home_account_id=user["home_account_id"],
            object_id=user.get("oid", ""),
            tenant_id=user.get("tid", ""),
            name=user.get("name", ""),
            username=user.get("username", ""),
        )
    )
    headers = {HEADER_NAME: assertion, "Cache-Control": "no-store", **identity_headers(user)}
    return "", 200, headers


@blueprint.get("/_auth/sign-in-required")
def sign_in_required() -> ResponseReturnValue:
    """For nginx, when a protected app has no session: browsers go to /login, APIs get 401."""
    back_to = login_url(request.headers.get(ORIGINAL_URI_HEADER, "/"))
    wanted = request.accept_mimetypes.best_match(["text/html", "application/json"])
    if wanted == "application/json":
        body = {
            "error": {
                "code": "unauthenticated",
                "message": "Sign in to use this app.",
                "login_url": back_to,
            }
        }
        return jsonify(body), 401, {"Cache-Control": "no-store"}
    return redirect(back_to)
