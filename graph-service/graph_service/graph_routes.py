"""Routes that call Microsoft Graph as the signed-in user, and the decorator that names them."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl

from flask import Blueprint, Flask, g, request
from flask.typing import ResponseReturnValue

from graph_service.gateway import PASS_THROUGH_PREFIX, GraphCall, GraphGateway
from graph_service.graph_batch import checked_batch
from graph_service.graph_paths import checked_graph_path, refuse
from graph_service.json_depth import MAX_JSON_DEPTH, nested_deeper_than
from graph_service.json_errors import GraphServiceError
from graph_service.request_ids import client_request_id
from signin_core.identity.assertions import (
    GRANT_HEADER_NAME,
    HEADER_NAME,
    IdentityAssertions,
    InvalidAssertionError,
    SignedInUser,
    token_hash,
)

PASS_THROUGH_METHODS = ["GET", "POST", "PATCH", "PUT", "DELETE"]
UserView = Callable[..., ResponseReturnValue]


class SignedInUsers:
    """Hands each Graph route the user it acts for, or answers 401: on the service port, the
    user of nginx's assertion; on the grant port, the user of the app's grant. Neither is
    taken on the other's port."""

    def __init__(self, assertions: IdentityAssertions, *, grant_port: int | None = None) -> None:
        self._assertions = assertions
        self._grant_port = str(grant_port) if grant_port else None

    def required(self, view: UserView) -> Callable[..., ResponseReturnValue]:
        """Decorate view so it is called with `user`, the verified signed-in user."""

        @functools.wraps(view)
        def with_user(**arguments: Any) -> ResponseReturnValue:
            try:
                user = self._user_of_request()
            except InvalidAssertionError:
                raise GraphServiceError(
                    401, "unauthenticated", "Sign in to call Microsoft Graph.", login_url="/login"
                ) from None
            g.bearer_token = bound_bearer_token(user)
            return view(user=user, **arguments)

        return with_user

    def _user_of_request(self) -> SignedInUser:
        if self._grant_port and request.environ.get("SERVER_PORT") == self._grant_port:
            return self._assertions.verify_grant(request.headers.get(GRANT_HEADER_NAME))
        return self._assertions.verify(request.headers.get(HEADER_NAME))


def bound_bearer_token(user: SignedInUser) -> str | None:
    """The API client's bearer token nginx handed on, when the assertion names it by its hash.

    A session's user (no hash) never gets one, whatever Authorization the request carries; an
    app's own token never calls Graph as a user; a token that is not the one the check
    validated is refused."""
    if not user.bearer_token_hash:
        return None
    if user.is_app:
        raise GraphServiceError(
            403,
            "app_only_token",
            "An app-only token cannot call Microsoft Graph here: /graph/ acts for a user "
            "(on-behalf-of). Use a token your client got for a signed-in user.",
        )
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token or token_hash(token) != user.bearer_token_hash:
        raise GraphServiceError(
            401, "invalid_token", "The bearer token is not the one the edge validated."
        )
    return token


def _raw_pass_through_target() -> tuple[str, list[tuple[str, str]]]:
    """The Graph path and query as the client wrote them (not decoded), the path checked."""
    raw = request.environ.get("RAW_URI") or request.environ.get("REQUEST_URI")
    raw = request.full_path if raw is None else str(raw)  # a server that keeps no raw URI
    if not raw.startswith(PASS_THROUGH_PREFIX + "/"):  # /graph/v1.0%2Fme, say
        raise refuse(f"The Graph path must follow {PASS_THROUGH_PREFIX}/ as written.")
    path, _, query = raw[len(PASS_THROUGH_PREFIX) :].partition("?")
    return checked_graph_path(path), parse_qsl(query, keep_blank_values=True)


def _json_body() -> Any:
    """The request's JSON body, None if it has none; 400 if it nests too deeply to parse."""
    if not request.is_json:
        return None
    if nested_deeper_than(request.get_data(cache=True)):
        raise GraphServiceError(
            400, "json_too_deep", f"JSON nested more than {MAX_JSON_DEPTH} levels deep."
        )
    return request.get_json(silent=True)


def graph_blueprint(gateway: GraphGateway, signed_in: SignedInUsers) -> Blueprint:
    """The /graph routes, each handed the signed-in user and calling Graph through gateway."""
    blueprint = Blueprint("graph_calls", __name__, url_prefix="/graph")

    def send(user: SignedInUser, call: GraphCall) -> ResponseReturnValue:
        return gateway.call(
            user,
            call,
            all_pages=request.args.get("all") == "true",
            client_request_id=client_request_id(),
            bearer_token=g.get("bearer_token"),
        )

    @blueprint.get("/me")
    @signed_in.required
    def me(user: SignedInUser) -> ResponseReturnValue:
        """The signed-in user's profile (Graph /me, scope User.Read)."""
        return send(user, GraphCall("GET", "/me", ["User.Read"], list(request.args.items())))

    @blueprint.get("/users")
    @signed_in.required
    def users(user: SignedInUser) -> ResponseReturnValue:
        """Users of the organization, the quickstart's call (Graph /users, User.ReadBasic.All)."""
        query = list(request.args.items())
        return send(user, GraphCall("GET", "/users", ["User.ReadBasic.All"], query))

    @blueprint.get("/me/photo")
    @signed_in.required
    def my_photo(user: SignedInUser) -> ResponseReturnValue:
        """The signed-in user's photo as image bytes; 404 JSON when there is none."""
        return send(user, GraphCall("GET", "/me/photo/$value", ["User.Read"]))

    @blueprint.post("/v1.0/$batch")
    @signed_in.required
    def batch(user: SignedInUser) -> ResponseReturnValue:
        """Send an allowlisted JSON batch to Graph and relay each answer."""
        _raw_pass_through_target()  # written as /graph/v1.0/$batch, not /graph/v1.0%2F$batch
        checked, scopes = checked_batch(_json_body(), gateway.scopes_for)
        return send(user, GraphCall("POST", "/$batch", scopes, body={"requests": checked}))

    @blueprint.route("/v1.0/<path:_subpath>", methods=PASS_THROUGH_METHODS)
    @signed_in.required
    def pass_through(user: SignedInUser, _subpath: str) -> ResponseReturnValue:
        """Any allowlisted Graph call, with the methods and scopes the allowlist gives it."""
        path, query = _raw_pass_through_target()
        scopes = gateway.scopes_for(request.method, path)
        if scopes is None:
            raise GraphServiceError(
                403, "path_not_allowed", f"{request.method} {path} is not in the Graph allowlist."
            )
        body = _json_body() if request.method in ("POST", "PATCH", "PUT") else None
        return send(user, GraphCall(request.method, path, scopes, query, body))

    return blueprint


def init_app(app: Flask, gateway: GraphGateway, signed_in: SignedInUsers) -> None:
    """Install the Graph routes."""
    app.register_blueprint(graph_blueprint(gateway, signed_in))
