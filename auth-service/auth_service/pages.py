"""The pages people see, and the session check nginx asks before /graph/."""

from __future__ import annotations

from flask import Blueprint, render_template, session
from flask.typing import ResponseReturnValue

from auth_service.extensions import service_state
from signin_state.identity_assertion import HEADER_NAME, SignedInUser

blueprint = Blueprint("pages", __name__)


@blueprint.get("/")
def home() -> ResponseReturnValue:
    """The home page: a sign-in button, or the signed-in user's name and links."""
    return render_template("home.html", user=session.get("user"))


@blueprint.get("/_auth/check")
def session_check() -> ResponseReturnValue:
    """For nginx auth_request: 200 with a signed identity assertion, or 401."""
    user = session.get("user")
    if not user:
        return "", 401
    assertion = service_state().resources.assertions.issue(
        SignedInUser(
            home_account_id=user["home_account_id"],
            object_id=user.get("oid", ""),
            tenant_id=user.get("tid", ""),
            name=user.get("name", ""),
            username=user.get("username", ""),
        )
    )
    return "", 200, {HEADER_NAME: assertion, "Cache-Control": "no-store"}
