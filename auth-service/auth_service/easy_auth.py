"""App Service authentication ("Easy Auth") routes, off Azure: what an app written for App
Service asks of its platform, answered by this stack.

- `/.auth/me`: the signed-in principal as JSON, in App Service's shape (no tokens: this stack
  never hands them out), or 401.
- `/.auth/login/aad?post_login_redirect_uri=/path`: signs in, then back to /path.
- `/.auth/logout`: sign-out, through our confirmation page (App Service signs out on a GET;
  here a GET cannot, so that no other site can sign a user out).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask, jsonify, redirect, request
from flask.typing import ResponseReturnValue

from auth_service.app_identity_headers import client_principal
from auth_service.pages import login_url
from auth_service.signed_in_user import SessionUser, signed_in

PROVIDER_NAME = "aad"


def me_entry(user: SessionUser) -> dict[str, Any]:
    """One provider's entry of /.auth/me for user."""
    return {
        "provider_name": PROVIDER_NAME,
        "user_id": str(user.get("username") or user.get("oid") or ""),
        "user_claims": client_principal(user)["claims"],
    }


def _not_signed_in() -> ResponseReturnValue:
    body = {"error": {"code": "unauthenticated", "message": "Nobody is signed in."}}
    return jsonify(body), 401


@signed_in(otherwise=_not_signed_in)
def me(*, user: SessionUser) -> ResponseReturnValue:
    """The signed-in principal, as App Service's /.auth/me answers it."""
    return jsonify([me_entry(user)])


def log_in() -> ResponseReturnValue:
    """App Service's sign-in link: our /login, back to post_login_redirect_uri (a path)."""
    return redirect(login_url(request.args.get("post_login_redirect_uri", "/")))


def log_out() -> ResponseReturnValue:
    """App Service's sign-out link: our sign-out confirmation page."""
    return redirect("/logout")


def init_app(app: Flask) -> None:
    """Install the /.auth/ routes."""
    blueprint = Blueprint("easy_auth", __name__)
    blueprint.add_url_rule("/.auth/me", view_func=me)
    blueprint.add_url_rule("/.auth/login/aad", view_func=log_in)
    blueprint.add_url_rule("/.auth/logout", view_func=log_out)
    app.register_blueprint(blueprint)
