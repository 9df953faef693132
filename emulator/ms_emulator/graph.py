"""The Graph v1.0 blueprint: request ids, counting, faults, errors and routes."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, request

from ms_emulator.fault_responses import apply_faults
from ms_emulator.graph_auth import FaultResponse, authenticate_caller
from ms_emulator.graph_batch import INNER_REQUEST_HEADER, run_batch
from ms_emulator.graph_errors import GraphError, graph_request_id
from ms_emulator.graph_memberships import register_membership_routes
from ms_emulator.graph_users import register_user_routes
from ms_emulator.state import current_state
from ms_emulator.token_issuer import pairwise_subject


def create_graph_blueprint() -> Blueprint:
    """Routes of the emulated Microsoft Graph."""
    blueprint = Blueprint("graph", __name__)

    @blueprint.before_request
    def count_and_inject_faults() -> Response | None:
        """Count the request and apply faults meant for everyone."""
        if request.headers.get(INNER_REQUEST_HEADER) != "1":
            current_state().counters.count("graph")
        return apply_faults("graph")

    @blueprint.after_request
    def add_request_ids(response: Response) -> Response:
        """Every Graph response carries request-id and client-request-id."""
        response.headers["request-id"] = graph_request_id()
        response.headers["client-request-id"] = (
            request.headers.get("client-request-id") or graph_request_id()
        )
        return response

    @blueprint.errorhandler(GraphError)
    def graph_error(error: GraphError) -> Response:
        """Render a GraphError in Graph's envelope."""
        return error.to_response()

    @blueprint.errorhandler(FaultResponse)
    def injected_fault(fault: FaultResponse) -> Response:
        """Return the response of an injected fault."""
        response: Response = fault.response
        return response

    register_user_routes(blueprint)
    register_membership_routes(blueprint)
    blueprint.add_url_rule("/v1.0/$batch", "batch", run_batch, methods=["POST"])

    @blueprint.get("/oidc/userinfo")
    def userinfo() -> Response:
        """The OIDC userinfo endpoint (hosted by Graph, as in Entra)."""
        caller = authenticate_caller()
        if caller.user is None or "openid" not in caller.scopes:
            raise GraphError(
                401, "InvalidAuthenticationToken", "The token needs the openid scope for userinfo."
            )
        user = caller.user
        return jsonify(
            {
                "sub": pairwise_subject(user.id, str(caller.claims.get("appid", ""))),
                "name": user.display_name,
                "family_name": user.properties.get("surname"),
                "given_name": user.properties.get("givenName"),
                "email": user.properties.get("mail"),
                "picture": f"{request.host_url.rstrip('/')}/v1.0/me/photo/$value",
            }
        )

    return blueprint
