"""Routes that call Microsoft Graph as the signed-in user."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl, urlsplit

from flask import Blueprint, Response, jsonify, request
from flask.typing import ResponseReturnValue

from graph_service.claims_challenge import claims_from_challenge
from graph_service.extensions import gateway, service_state
from graph_service.graph_paths import checked_graph_path, graph_url, is_same_graph_link
from graph_service.graph_transport import GraphAnswer
from graph_service.json_errors import GraphServiceError, error_body
from graph_service.request_ids import client_request_id
from graph_service.user_tokens import access_token_for
from signin_state.identity_assertion import HEADER_NAME, InvalidAssertionError, SignedInUser
from signin_state.metrics import current_metrics
from signin_state.request_logging import note_in_request_log

blueprint = Blueprint("graph_calls", __name__, url_prefix="/graph")
PASSED_ON_HEADERS = ("request-id", "client-request-id", "Retry-After", "Content-Type")
PASS_THROUGH_PREFIX = "/graph/v1.0"
PASS_THROUGH_METHODS = ["GET", "POST", "PATCH", "PUT", "DELETE"]


def signed_in_user() -> SignedInUser:
    """Return the user auth-service vouched for, or raise a 401 error."""
    try:
        return service_state().resources.assertions.verify(request.headers.get(HEADER_NAME))
    except InvalidAssertionError:
        raise GraphServiceError(
            401, "unauthenticated", "Sign in to call Microsoft Graph.", login_url="/login"
        ) from None


def _next_path() -> str:
    return request.full_path.rstrip("?")


def call_graph(
    method: str,
    path: str,
    scopes: list[str],
    *,
    query: list[tuple[str, str]] | None = None,
    body: Any = None,
) -> ResponseReturnValue:
    """Call Graph as the signed-in user and relay its answer; retry once on a claims challenge."""
    user = signed_in_user()
    client = gateway().client
    url = graph_url(client.base_url, path)
    token = access_token_for(user, scopes, next_path=_next_path())
    if method == "GET" and request.args.get("all") == "true":
        return _all_pages(url, token, query or [])
    headers = _outbound_headers()
    answer = client.send(method, url, token, params=query, json_body=body, headers=headers)
    claims = claims_from_challenge(answer.headers.get("WWW-Authenticate"))
    if answer.status_code == 401 and claims:
        token = access_token_for(user, scopes, next_path=_next_path(), claims_challenge=claims)
        answer = client.send(method, url, token, params=query, json_body=body, headers=headers)
    current_metrics().graph_calls.labels(str(answer.status_code)).inc()
    note_in_request_log(
        graph_status=answer.status_code,
        graph_request_id=answer.headers.get("request-id", ""),
        graph_client_request_id=headers.get("client-request-id", ""),
    )
    return relay(answer)


def _outbound_headers() -> dict[str, str]:
    request_id = client_request_id()
    return {"client-request-id": request_id} if request_id else {}


def _all_pages(url: str, token: str, query: list[tuple[str, str]]) -> ResponseReturnValue:
    settings = service_state().settings
    answer, merged = gateway().client.get_all_pages(
        url,
        token,
        max_pages=settings.graph_max_pages,
        max_items=settings.graph_max_items,
        params=[(name, value) for name, value in query if name != "all"],
        headers=_outbound_headers(),
    )
    if answer.status_code != 200:
        return relay(answer)
    _rewrite_next_link(merged)
    return jsonify(merged), 200, _passed_on(answer)


def relay(answer: GraphAnswer) -> ResponseReturnValue:
    """Pass Graph's status, body and request-id on; JSON next links point back through us."""
    content_type = answer.headers.get("Content-Type", "")
    if content_type.startswith("application/json") and b"@odata.nextLink" in answer.content:
        body = answer.json()
        if isinstance(body, dict) and "@odata.nextLink" in body:
            _rewrite_next_link(body)
            return jsonify(body), answer.status_code, _passed_on(answer)
    elif answer.status_code >= 400 and not content_type.startswith("application/json"):
        # An error without Graph's JSON (a gateway page, say): same status, our envelope.
        body = error_body("graph_error", f"Microsoft Graph answered {answer.status_code}.")
        return jsonify(body), answer.status_code, _passed_on(answer, keep_type=False)
    elif 300 <= answer.status_code < 400:
        # Not followed (a download link, say): the caller goes there itself, without our token.
        headers = _passed_on(answer, keep_type=False)
        if "Location" in answer.headers:
            headers["Location"] = answer.headers["Location"]
        return Response(b"", status=answer.status_code, headers=headers)
    elif answer.content and not content_type.startswith(("image/", "application/json")):
        raise GraphServiceError(502, "graph_bad_answer", "Microsoft Graph answered unexpectedly.")
    return Response(answer.content, status=answer.status_code, headers=_passed_on(answer))


def _passed_on(answer: GraphAnswer, *, keep_type: bool = True) -> dict[str, str]:
    names = PASSED_ON_HEADERS if keep_type else PASSED_ON_HEADERS[:-1]
    return {name: answer.headers[name] for name in names if name in answer.headers}


def _rewrite_next_link(body: dict[str, Any]) -> None:
    link = body.get("@odata.nextLink")
    if not isinstance(link, str):
        return
    base_url = gateway().client.base_url
    if not is_same_graph_link(base_url, link):
        del body["@odata.nextLink"]
        return
    base_path = urlsplit(base_url).path
    target = urlsplit(link)
    relative = target.path[len(base_path) :] + (f"?{target.query}" if target.query else "")
    body["@odata.nextLink"] = PASS_THROUGH_PREFIX + relative


@blueprint.get("/me")
def me() -> ResponseReturnValue:
    """The signed-in user's profile (Graph /me, scope User.Read)."""
    return call_graph("GET", "/me", ["User.Read"], query=list(request.args.items()))


@blueprint.get("/users")
def users() -> ResponseReturnValue:
    """Users of the organization, the quickstart's call (Graph /users, scope User.ReadBasic.All)."""
    return call_graph("GET", "/users", ["User.ReadBasic.All"], query=list(request.args.items()))


@blueprint.get("/me/photo")
def my_photo() -> ResponseReturnValue:
    """The signed-in user's photo as image bytes; 404 JSON when there is none."""
    return call_graph("GET", "/me/photo/$value", ["User.Read"])


def _raw_pass_through_target() -> tuple[str, list[tuple[str, str]]]:
    raw = str(request.environ.get("RAW_URI") or request.environ.get("REQUEST_URI") or "")
    if not raw.startswith(PASS_THROUGH_PREFIX + "/"):
        raw = request.full_path
    path, _, query = raw[len(PASS_THROUGH_PREFIX) :].partition("?")
    return checked_graph_path(path), parse_qsl(query, keep_blank_values=True)


@blueprint.route("/v1.0/<path:_subpath>", methods=PASS_THROUGH_METHODS)
def pass_through(_subpath: str) -> ResponseReturnValue:
    """Any allowlisted Graph call, with the methods and scopes the allowlist gives it."""
    path, query = _raw_pass_through_target()
    route = gateway().allowlist.route_for(request.method, path)
    if route is None:
        raise GraphServiceError(
            403, "path_not_allowed", f"{request.method} {path} is not in the Graph allowlist."
        )
    body = request.get_json(silent=True) if request.method in ("POST", "PATCH", "PUT") else None
    return call_graph(request.method, path, list(route.scopes), query=query, body=body)
