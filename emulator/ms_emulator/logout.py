"""The end-session (logout) endpoint."""

from __future__ import annotations

import jwt
from flask import Blueprint, redirect, request
from werkzeug.wrappers import Response

from ms_emulator.aad_errors import AadError
from ms_emulator.authorize import set_session_cookie
from ms_emulator.browser_sessions import COOKIE_NAME
from ms_emulator.pages import error_page, render_page
from ms_emulator.redirect_uris import is_registered, with_parameters
from ms_emulator.state import current_state
from ms_emulator.tenant_resolution import resolve_tenant


def client_from_id_token_hint(hint: str | None) -> str | None:
    """The audience of an ID token this emulator signed (expired ones are fine)."""
    if not hint:
        return None
    try:
        kid = jwt.get_unverified_header(hint).get("kid", "")
        key = current_state().keys.public_key(str(kid))
        if key is None:
            return None
        claims = jwt.decode(
            hint, key, algorithms=["RS256"], options={"verify_exp": False, "verify_aud": False}
        )
    except jwt.PyJWTError:
        return None
    audience = claims.get("aud")
    return audience if isinstance(audience, str) else None


def create_logout_blueprint() -> Blueprint:
    """Routes for logout."""
    blueprint = Blueprint("logout", __name__)

    @blueprint.route("/<segment>/oauth2/v2.0/logout", methods=["GET", "POST"])
    def logout(segment: str) -> Response:
        """End the emulator session and return to a registered post-logout URI."""
        state = current_state()
        state.counters.count("logout")
        try:
            resolve_tenant(segment)
        except AadError as error:
            return error_page(error)
        params = {**request.args.to_dict(), **request.form.to_dict()}
        state.browser_sessions.sign_out(request.cookies.get(COOKIE_NAME))
        target = params.get("post_logout_redirect_uri", "")
        client_id = params.get("client_id") or client_from_id_token_hint(
            params.get("id_token_hint")
        )
        app = state.directory.app(client_id) if client_id else None
        if target and app and is_registered(target, app.post_logout_redirect_uris):
            state_param = params.get("state")
            location = with_parameters(target, {"state": state_param}) if state_param else target
            response = redirect(location, code=302)
        else:
            response = render_page("signed_out.html")
        set_session_cookie(response, None)
        return response

    return blueprint
