"""The end-session (logout) endpoint."""

from __future__ import annotations

import jwt
from flask import Blueprint, redirect, request, send_from_directory
from werkzeug.wrappers import Response

from ms_emulator.aad_errors import AadError
from ms_emulator.authorize import STATIC_DIR, set_session_cookie
from ms_emulator.browser_sessions import COOKIE_NAME
from ms_emulator.front_channel_logout import frame_sources, front_channel_urls, return_address
from ms_emulator.pages import error_page, render_page
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
        ended = state.browser_sessions.end(request.cookies.get(COOKIE_NAME))
        client_id = params.get("client_id") or client_from_id_token_hint(
            params.get("id_token_hint")
        )
        location = return_address(params, client_id, ended)
        frames = front_channel_urls(ended, client_id)
        if frames:
            # Every app this browser signed in to is told first; the page then continues.
            response = render_page("signed_out.html", frames=frames, continue_to=location)
            policy = response.headers["Content-Security-Policy"]
            response.headers["Content-Security-Policy"] = (
                f"{policy}; frame-src {frame_sources(frames)}"
            )
        elif location:
            response = redirect(location, code=302)
        else:
            response = render_page("signed_out.html")
        set_session_cookie(response, None)
        return response

    @blueprint.get("/<segment>/oauth2/v2.0/front_channel.js")
    def front_channel_script(segment: str) -> Response:
        """The signed-out page's script: continue once the apps' logout frames loaded."""
        response = send_from_directory(STATIC_DIR, "front_channel.js", max_age=3600)
        response.headers["Content-Type"] = "text/javascript; charset=utf-8"
        return response

    return blueprint
