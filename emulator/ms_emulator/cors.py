"""CORS for single-page apps: discovery, the token endpoint and the keys answer the origins
of registered SPA redirect URIs (and no other), preflight included, as Entra does."""

from __future__ import annotations

import re

from flask import Flask, Response, request

from ms_emulator.browser_clients import spa_origins

CORS_PATHS = re.compile(
    r"^/[^/]+/(?:oauth2/v2\.0/token|discovery(?:/v2\.0)?/keys|v2\.0/\.well-known/openid-configuration)$"
)
PREFLIGHT_MAX_AGE = "86400"


def add_cors_headers(response: Response) -> Response:
    """Admit a registered SPA origin to read the answer (and to send the preflighted request)."""
    origin = request.headers.get("Origin", "")
    if not CORS_PATHS.match(request.path):
        return response
    response.vary.add("Origin")
    if not origin or origin.lower() not in spa_origins():
        return response
    response.headers["Access-Control-Allow-Origin"] = origin
    if request.method == "OPTIONS":
        response.headers["Access-Control-Allow-Methods"] = "GET, POST, OPTIONS"
        asked = request.headers.get("Access-Control-Request-Headers", "")
        if asked:
            response.headers["Access-Control-Allow-Headers"] = asked
        response.headers["Access-Control-Max-Age"] = PREFLIGHT_MAX_AGE
    return response


def init_cors(app: Flask) -> None:
    """Answer CORS on the routes browsers call cross-origin."""
    app.after_request(add_cors_headers)
