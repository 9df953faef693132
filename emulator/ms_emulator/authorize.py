"""The /authorize endpoint: checks the request, runs the sign-in pages, returns a code."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from urllib.parse import urlsplit

from flask import Blueprint, request, send_from_directory
from werkzeug.wrappers import Response

from ms_emulator.aad_errors import AadError
from ms_emulator.authorize_interaction import (
    chosen_user,
    consent_page,
    denied,
    issue_code,
    missing_consent,
    session_user,
    sign_in_page,
)
from ms_emulator.authorize_request import (
    AuthorizeRequest,
    PageError,
    RedirectError,
    parse_authorize_request,
)
from ms_emulator.authorize_responses import deliver_error
from ms_emulator.authorize_step_up import step_up
from ms_emulator.browser_sessions import COOKIE_NAME, BrowserSession
from ms_emulator.fault_responses import apply_faults
from ms_emulator.pages import error_page
from ms_emulator.state import current_state

STATIC_DIR = Path(__file__).parent / "static"


def set_session_cookie(response: Response, session_id: str | None) -> None:
    """Set (or, with None, delete) the emulator sign-in cookie, scoped to the browser URL."""
    browser_url = current_state().settings.browser_url
    path = (urlsplit(browser_url).path if browser_url else "") or "/"
    secure = browser_url.startswith("https://") if browser_url else request.is_secure
    if session_id is None:
        response.delete_cookie(COOKIE_NAME, path=path, secure=secure, samesite="Lax")
        return
    response.set_cookie(
        COOKIE_NAME, session_id, path=path, secure=secure, httponly=True, samesite="Lax"
    )


def _silent_failure(request_: AuthorizeRequest, session: BrowserSession | None) -> AadError:
    """Why prompt=none cannot complete without showing a page."""
    if session is None or not session.accounts:
        return AadError(
            "login_required", 50058, "A silent sign-in request was sent but no user is signed in."
        )
    return AadError(
        "interaction_required",
        16000,
        "Either multiple user identities are "
        "available for the current request or the signed-in account cannot be "
        "used silently for this request.",
    )


def _authorize(auth: AuthorizeRequest, params: Mapping[str, str]) -> Response:
    """Pick the user (asking if needed), ask for consent if needed, then issue a code."""
    state = current_state()
    session = state.browser_sessions.get(request.cookies.get(COOKIE_NAME))
    new_session_id = None
    username = params.get("username")
    if username:
        user = chosen_user(auth, username)
        new_session_id, auth_time = state.browser_sessions.sign_in(
            session.id if session else None, user.id
        )
        session_id = new_session_id
    else:
        found = None if auth.prompt in ("login", "select_account") else session_user(auth, session)
        if found is None or session is None:
            if auth.prompt == "none":
                return deliver_error(auth, _silent_failure(auth, session))
            return sign_in_page(auth, session)
        user, session_id, auth_time = found, session.id, session.accounts[found.id]
    authentication = step_up(auth, user, session_id, params)
    if isinstance(authentication, Response):
        if new_session_id:
            set_session_cookie(authentication, new_session_id)
        return authentication
    answer = params.get("consent")
    if answer == "accept":
        state.directory.grant_consent(auth.app.client_id, user.id, list(auth.scopes.canonical))
    missing = missing_consent(auth, user)
    if answer == "cancel":
        response = denied(auth)
    elif answer != "accept" and (missing or auth.prompt == "consent"):
        response = (
            deliver_error(
                auth,
                AadError(
                    "consent_required",
                    65001,
                    "The user or administrator has not consented to use the application.",
                ),
            )
            if auth.prompt == "none"
            else consent_page(auth, user, missing)
        )
    else:
        response = issue_code(auth, user, auth_time, session_id, authentication)
    if new_session_id:
        set_session_cookie(response, new_session_id)
    return response


def create_authorize_blueprint() -> Blueprint:
    """Routes for /authorize and its tiny auto-submit script."""
    blueprint = Blueprint("authorize", __name__)

    @blueprint.route("/<segment>/oauth2/v2.0/authorize", methods=["GET", "POST"])
    def authorize(segment: str) -> Response:
        """The authorization endpoint (GET or POST, including the emulator's own form posts)."""
        current_state().counters.count("authorize")
        fault = apply_faults("authorize")
        if fault is not None:
            return fault
        params = {**request.args.to_dict(), **request.form.to_dict()}
        try:
            return _authorize(parse_authorize_request(segment, params), params)
        except PageError as error:
            return error_page(error.error)
        except RedirectError as error:
            return deliver_error(error.request, error.error)

    @blueprint.get("/<segment>/oauth2/v2.0/autosubmit.js")
    def autosubmit_script(segment: str) -> Response:
        """The tiny script that submits the form_post response form."""
        response = send_from_directory(STATIC_DIR, "autosubmit.js", max_age=3600)
        response.headers["Content-Type"] = "text/javascript; charset=utf-8"
        return response

    return blueprint
