"""Errors of the Graph endpoints, in Graph's JSON envelope."""

from __future__ import annotations

import datetime
import uuid

from flask import Response, g, jsonify, request

GRAPH_WWW_AUTHENTICATE = (
    'Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/oauth2/'
    'authorize", client_id="00000003-0000-0000-c000-000000000000"'
)


def graph_request_id() -> str:
    """This request's request-id (created on first use)."""
    if "graph_request_id" not in g:
        g.graph_request_id = str(uuid.uuid4())
    return str(g.graph_request_id)


class GraphError(Exception):
    """A Graph error: HTTP status, code and message (plus optional headers)."""

    def __init__(
        self, status: int, code: str, message: str, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers or {}

    def to_response(self) -> Response:
        """The error as Graph would send it."""
        inner = {
            "date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%S"),
            "request-id": graph_request_id(),
            "client-request-id": request.headers.get("client-request-id") or graph_request_id(),
        }
        response = jsonify(
            {"error": {"code": self.code, "message": self.message, "innerError": inner}}
        )
        response.status_code = self.status
        response.headers.update(self.headers)
        response.headers["request-id"] = graph_request_id()
        return response


def unauthenticated(message: str, extra_challenge: str = "") -> GraphError:
    """401 InvalidAuthenticationToken with Graph's WWW-Authenticate challenge."""
    challenge = GRAPH_WWW_AUTHENTICATE + extra_challenge
    return GraphError(401, "InvalidAuthenticationToken", message, {"WWW-Authenticate": challenge})


def forbidden(message: str = "Insufficient privileges to complete the operation.") -> GraphError:
    """403 Authorization_RequestDenied."""
    return GraphError(403, "Authorization_RequestDenied", message)


def bad_request(message: str, code: str = "BadRequest") -> GraphError:
    """400 in Graph's envelope."""
    return GraphError(400, code, message)


def not_found(message: str, code: str = "Request_ResourceNotFound") -> GraphError:
    """404 in Graph's envelope."""
    return GraphError(404, code, message)
