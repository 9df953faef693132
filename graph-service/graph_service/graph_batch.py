"""Checking a JSON batch for POST /graph/v1.0/$batch: up to 20 requests, each allowlisted."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from graph_service.graph_paths import checked_graph_path, refuse
from graph_service.json_errors import GraphServiceError

MAX_BATCH_REQUESTS = 20
HEADER_NAME = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")  # an HTTP token (RFC 9110)
CONTROL_CHARACTER = re.compile(r"[\x00-\x1f\x7f]")
ScopesFor = Callable[[str, str], list[str] | None]


def _invalid(message: str) -> GraphServiceError:
    return GraphServiceError(400, "invalid_batch", message)


def _is_text_list(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(entry, str) for entry in value)


def _check_shape(item: Any) -> None:
    """Each request as Graph's batch format has it: strings where strings go."""
    if not isinstance(item, dict) or not isinstance(item.get("url"), str):
        raise _invalid("Each request needs an id, a method and a relative url.")
    if not isinstance(item.get("id"), str | int) or not str(item["id"]):
        raise _invalid("Each request needs an id (a string).")
    if not isinstance(item.get("method", "GET"), str):
        raise _invalid(f"Request {item['id']!r}: the method must be a string such as GET.")
    headers = item.get("headers", {})
    if not isinstance(headers, dict) or not _is_text_list(list(headers.values())):
        raise _invalid(f"Request {item['id']!r}: headers must be an object of strings.")
    for name, value in headers.items():
        if not HEADER_NAME.fullmatch(name):
            raise _invalid(f"Request {item['id']!r}: {name!r} is not a header name.")
        if CONTROL_CHARACTER.search(value):
            raise _invalid(f"Request {item['id']!r}: header {name} holds a control character.")
    if not _is_text_list(item.get("dependsOn", [])):
        raise _invalid(f"Request {item['id']!r}: dependsOn must be a list of request ids.")


def checked_batch(body: Any, scopes_for: ScopesFor) -> tuple[list[dict[str, Any]], list[str]]:
    """Validate the batch; return its requests (urls normalized) and the scopes they need."""
    if not isinstance(body, dict) or not isinstance(body.get("requests"), list):
        raise _invalid('The body must be JSON like {"requests": [...]}.')
    requests_in = body["requests"]
    if not 1 <= len(requests_in) <= MAX_BATCH_REQUESTS:
        raise _invalid(f"A batch holds 1 to {MAX_BATCH_REQUESTS} requests.")
    scopes: list[str] = []
    checked = []
    for item in requests_in:
        _check_shape(item)
        method = str(item.get("method", "GET")).upper()
        url = item["url"] if item["url"].startswith("/") else "/" + item["url"]
        if CONTROL_CHARACTER.search(url):
            raise refuse(f"Request {item['id']!r}: control characters are not allowed in a url.")
        path, _, query = url.partition("?")
        path = checked_graph_path(path)
        route_scopes = scopes_for(method, path)
        if route_scopes is None:
            raise GraphServiceError(
                403,
                "path_not_allowed",
                f"Request {item.get('id')!r}: {method} {path} is not in the Graph allowlist.",
            )
        scopes.extend(scope for scope in route_scopes if scope not in scopes)
        checked.append({**item, "method": method, "url": path + (f"?{query}" if query else "")})
    return checked, scopes
