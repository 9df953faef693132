"""The demo app's backend calling Microsoft Graph as the signed-in user, through graph-service.

nginx gives the app a short-lived grant (X-Graph-Grant) with each request of a signed-in user;
the backend sends it to graph-service's grant port (GRAPH_SERVICE_URL, reachable from the
app's network only) and gets Graph's answer. The app never holds a Graph token.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any

from flask import Blueprint, jsonify, render_template, request
from flask.typing import ResponseReturnValue

from demo_app.answers import error_body, wants_json

GRANT_HEADER = "X-Graph-Grant"
TIMEOUT_SECONDS = 10


class GraphServiceClient:
    """Calls graph-service's grant port with the grant of the request being served."""

    def __init__(self, base_url: str) -> None:
        self._base_url = base_url.rstrip("/")

    def get(self, path: str, grant: str) -> tuple[int, Any]:
        """GET path (e.g. /graph/me) as the grant's user; the status and the parsed answer."""
        call = urllib.request.Request(
            self._base_url + path, headers={GRANT_HEADER: grant, "Accept": "application/json"}
        )
        try:
            with urllib.request.urlopen(call, timeout=TIMEOUT_SECONDS) as answer:  # noqa: S310
                return answer.status, json.loads(answer.read())
        except urllib.error.HTTPError as error:
            return error.code, _json_or_text(error.read())
        except (urllib.error.URLError, TimeoutError) as error:
            return 502, error_body("graph_service_unreachable", str(error))


def _json_or_text(body: bytes) -> Any:
    try:
        return json.loads(body)
    except ValueError:
        return error_body("unexpected_answer", body[:200].decode("latin-1"))


def profile_blueprint(app_path: str, graph: GraphServiceClient | None) -> Blueprint:
    """/app/profile: the user's Graph profile, read by this app's backend."""
    blueprint = Blueprint("graph_profile", __name__)

    @blueprint.get(app_path + "profile")
    def profile() -> ResponseReturnValue:
        """The profile from /me, or why it could not be read."""
        grant = request.headers.get(GRANT_HEADER, "")
        if graph is None:
            status, body = 503, error_body("not_configured", "No GRAPH_SERVICE_URL.")
        elif not grant:
            status, body = 401, error_body("no_grant", "No grant from nginx.")
        else:
            status, body = graph.get("/graph/me", grant)
        if wants_json():
            return jsonify({"status": status, "profile": body}), status
        return render_template("profile.html", status=status, body=body, app_path=app_path), status

    return blueprint
