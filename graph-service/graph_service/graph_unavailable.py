"""Sign-in through an Azure AD B2C user flow: B2C issues no Microsoft Graph tokens, so every
/graph/ request is answered with that reason instead of a sign-in that cannot help."""

from __future__ import annotations

from flask import Flask, jsonify, request
from flask.typing import ResponseReturnValue

from graph_service.json_errors import error_body

GRAPH_NOT_AVAILABLE = (
    "Microsoft Graph is not available here: this app signs users in with an Azure AD B2C user "
    "flow, and B2C issues no tokens for Microsoft Graph."
)


def init_app(app: Flask) -> None:
    """Answer /graph/ with 404 graph_not_available (health and metrics still answer)."""

    @app.before_request
    def graph_not_available() -> ResponseReturnValue | None:
        if request.path.startswith("/graph/"):
            return jsonify(error_body("graph_not_available", GRAPH_NOT_AVAILABLE)), 404
        return None
