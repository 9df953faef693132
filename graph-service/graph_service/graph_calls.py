"""Routes that call Microsoft Graph as the signed-in user."""

from __future__ import annotations

import logging

import requests
from flask import Blueprint, Response, request
from flask.typing import ResponseReturnValue

from graph_service.extensions import service_state
from graph_service.json_errors import GraphServiceError
from graph_service.user_tokens import access_token_for
from signin_state.identity_assertion import HEADER_NAME, InvalidAssertionError, SignedInUser

log = logging.getLogger(__name__)
blueprint = Blueprint("graph_calls", __name__, url_prefix="/graph")
PASSED_ON_HEADERS = ("request-id", "client-request-id", "Retry-After", "Content-Type")


def signed_in_user() -> SignedInUser:
    """Return the user auth-service vouched for, or raise a 401 error."""
    try:
        return service_state().resources.assertions.verify(request.headers.get(HEADER_NAME))
    except InvalidAssertionError:
        raise GraphServiceError(
            401, "unauthenticated", "Sign in to call Microsoft Graph.", login_url="/login"
        ) from None


def call_graph(path: str, scopes: list[str]) -> Response:
    """GET path on Graph with the user's token and pass the answer on."""
    user = signed_in_user()
    token = access_token_for(user, scopes)
    state = service_state()
    try:
        answer = state.resources.http.get(
            state.settings.graph_base_url + path,
            headers={"Authorization": f"Bearer {token}", "Accept": "application/json"},
        )
    except requests.RequestException as error:
        log.warning("Graph unreachable: %s", type(error).__name__)
        raise GraphServiceError(
            502, "graph_unreachable", "Microsoft Graph did not answer."
        ) from None
    headers = {name: answer.headers[name] for name in PASSED_ON_HEADERS if name in answer.headers}
    if not answer.headers.get("Content-Type", "").startswith("application/json"):
        raise GraphServiceError(502, "graph_bad_answer", "Microsoft Graph answered without JSON.")
    return Response(answer.content, status=answer.status_code, headers=headers)


@blueprint.get("/me")
def me() -> ResponseReturnValue:
    """The signed-in user's profile (Graph /me, scope User.Read)."""
    return call_graph("/me", ["User.Read"])


@blueprint.get("/users")
def users() -> ResponseReturnValue:
    """Users of the organization, the quickstart's call (Graph /users, scope User.ReadBasic.All)."""
    return call_graph("/users", ["User.ReadBasic.All"])
