"""Calling Graph as the signed-in user, and relaying its answer: what every Graph route does."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from flask import Response, jsonify
from flask.typing import ResponseReturnValue

from graph_service.allowlist import GraphAllowlist
from graph_service.claims_challenge import claims_from_challenge
from graph_service.graph_client import GraphClient
from graph_service.graph_paths import graph_url, is_same_graph_link
from graph_service.graph_transport import GraphAnswer
from graph_service.json_errors import GraphServiceError, error_body
from graph_service.on_behalf_of import OnBehalfOfTokens
from signin_core.identity.assertions import SignedInUser
from signin_core.tokens import TokenCacheOwner
from signin_core.web.metrics import ServiceMetrics
from signin_core.web.request_logging import note_in_request_log

PASSED_ON_HEADERS = ("request-id", "client-request-id", "Retry-After", "Content-Type")
PASS_THROUGH_PREFIX = "/graph/v1.0"


@dataclass(frozen=True)
class GraphCall:
    """One call a route asks for: method and checked path on Graph, the scopes it needs."""

    method: str
    path: str
    scopes: list[str]
    query: list[tuple[str, str]] | None = None
    body: Any = None


class GraphGateway:
    """Gets the user's token from the token cache owner, sends the call, relays the answer."""

    def __init__(
        self,
        *,
        tokens: TokenCacheOwner,
        client: GraphClient,
        allowlist: GraphAllowlist,
        metrics: ServiceMetrics,
        max_pages: int,
        max_items: int,
        on_behalf_of: OnBehalfOfTokens | None = None,
    ) -> None:
        self._tokens = tokens
        self._on_behalf_of = on_behalf_of
        self._client = client
        self._allowlist = allowlist
        self._metrics = metrics
        self._max_pages = max_pages
        self._max_items = max_items

    def scopes_for(self, method: str, path: str) -> list[str] | None:
        """The scopes the allowlist gives method on path, or None if it is not allowed."""
        route = self._allowlist.route_for(method, path)
        return None if route is None else list(route.scopes)

    def call(
        self,
        user: SignedInUser,
        call: GraphCall,
        *,
        all_pages: bool = False,
        client_request_id: str | None = None,
        bearer_token: str | None = None,
    ) -> ResponseReturnValue:
        """Make call as user and relay Graph's answer; retry once on a claims challenge.

        With bearer_token (an API client's, bound to user by nginx's assertion), the Graph
        token comes from on-behalf-of instead of the user's stored sign-in."""
        method, query, body = call.method, call.query, call.body
        url = graph_url(self._client.base_url, call.path)
        if bearer_token is not None:
            if self._on_behalf_of is None:
                raise GraphServiceError(403, "bearer_not_accepted", "Bearer tokens are not served.")
            token = self._on_behalf_of.token_for(user, bearer_token, call.scopes)
        else:
            token = self._tokens.token_for(user.home_account_id, call.scopes)
        headers = {"client-request-id": client_request_id} if client_request_id else {}
        if method == "GET" and all_pages:
            return self._all_pages(url, token, query or [], headers)
        answer = self._client.send(
            method, url, token, params=query, json_body=body, headers=headers
        )
        claims = claims_from_challenge(answer.headers.get("WWW-Authenticate"))
        if answer.status_code == 401 and claims and bearer_token is None:
            token = self._tokens.token_for(
                user.home_account_id, call.scopes, claims_challenge=claims
            )
            answer = self._client.send(
                method, url, token, params=query, json_body=body, headers=headers
            )
        self._metrics.graph_calls.labels(str(answer.status_code)).inc()
        note_in_request_log(
            graph_status=answer.status_code,
            graph_request_id=answer.headers.get("request-id", ""),
            graph_client_request_id=headers.get("client-request-id", ""),
        )
        return relay(answer, self._client.base_url)

    def _all_pages(
        self, url: str, token: str, query: list[tuple[str, str]], headers: dict[str, str]
    ) -> ResponseReturnValue:
        answer, merged = self._client.get_all_pages(
            url,
            token,
            max_pages=self._max_pages,
            max_items=self._max_items,
            params=[(name, value) for name, value in query if name != "all"],
            headers=headers,
        )
        if merged is None or answer.status_code != 200:
            return relay(answer, self._client.base_url)
        _rewrite_next_link(merged, self._client.base_url)
        return jsonify(merged), 200, _passed_on(answer)


def relay(answer: GraphAnswer, base_url: str) -> ResponseReturnValue:
    """Pass Graph's status, body and request-id on; JSON next links point back through us."""
    content_type = answer.headers.get("Content-Type", "")
    if content_type.startswith("application/json") and b"@odata.nextLink" in answer.content:
        body = answer.json()
        if isinstance(body, dict) and "@odata.nextLink" in body:
            _rewrite_next_link(body, base_url)
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


def _rewrite_next_link(body: dict[str, Any], base_url: str) -> None:
    link = body.get("@odata.nextLink")
    if not isinstance(link, str):
        return
    if not is_same_graph_link(base_url, link):
        del body["@odata.nextLink"]
        return
    base_path = urlsplit(base_url).path
    target = urlsplit(link)
    relative = target.path[len(base_path) :] + (f"?{target.query}" if target.query else "")
    body["@odata.nextLink"] = PASS_THROUGH_PREFIX + relative
