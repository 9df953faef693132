"""Sending the authorization response (code or error) back to the client."""

from __future__ import annotations

from flask import redirect
from werkzeug.wrappers import Response

from ms_emulator.aad_errors import AadError
from ms_emulator.authorize_request import AuthorizeRequest
from ms_emulator.pages import render_page
from ms_emulator.redirect_uris import with_parameters


def deliver(request: AuthorizeRequest, parameters: dict[str, str]) -> Response:
    """Return parameters to the redirect URI by query, fragment or form_post."""
    state = request.get("state")
    values = {**parameters, **({"state": state} if state else {})}
    if request.response_mode == "form_post":
        return render_page("form_post.html", action=request.redirect_uri, hidden=values)
    location = with_parameters(
        request.redirect_uri, values, in_fragment=request.response_mode == "fragment"
    )
    response = redirect(location, code=302)
    response.headers["Cache-Control"] = "no-store"
    return response


def deliver_error(request: AuthorizeRequest, error: AadError) -> Response:
    """Send an OAuth error response (error, error_description, error_uri) to the client."""
    return deliver(
        request,
        {
            "error": error.error,
            "error_description": error.summary,
            "error_uri": f"https://login.microsoftonline.com/error?code={error.code}",
            **({"suberror": error.suberror} if error.suberror else {}),
        },
    )
