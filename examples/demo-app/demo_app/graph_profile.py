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
            return 502, {"error": {"code": "graph_service_unreachable", "message": str(error)}}


def _error(code: str, message: str) -> dict[str, Any]:
    return {"error": {"code": code, "message": message}}


def _json_or_text(body: bytes) -> Any:
    try:
        return json.loads(body)
    except ValueError:
        return {"error": {"code": "unexpected_answer", "message": body[:200].decode("latin-1")}}


def profile_blueprint(app_path: str, graph: GraphServiceClient | None) -> Blueprint:
    """/app/profile: the user's Graph profile, read by this app's backend."""
    blueprint = Blueprint("graph_profile", __name__)

    @blueprint.get(app_path + "profile")
    def profile() -> ResponseReturnValue:
        """The profile from /me, or why it could not be read."""
        grant = request.headers.get(GRANT_HEADER, "")
        if graph is None:
            status, body = (
                503,
                {"error": {"code": "not_configured", "message": "No GRAPH_SERVICE_URL."}},
            )
        elif not grant:
            status, body = 401, {"error": {"code": "no_grant", "message": "No grant from nginx."}}
        else:
            status, body = graph.get("/graph/me", grant)
        wants_json = request.accept_mimetypes.best_match(["text/html", "application/json"])
        if wants_json == "application/json":
            return jsonify({"status": status, "profile": body}), 200 if status == 200 else status
        return render_template("profile.html", status=status, body=body, app_path=app_path), (
            200 if status == 200 else status
        )

    return blueprint
