"""Graph JSON batching: POST /v1.0/$batch with up to 20 requests."""

from __future__ import annotations

import base64
from typing import Any

from flask import Response, current_app, jsonify, request

from ms_emulator.graph_auth import authenticate_caller
from ms_emulator.graph_errors import bad_request

MAX_BATCH_REQUESTS = 20
INNER_REQUEST_HEADER = "X-Emulator-Batch-Inner"
KEPT_RESPONSE_HEADERS = ("Content-Type", "Retry-After", "WWW-Authenticate")


def _checked_requests(payload: Any) -> list[dict[str, Any]]:
    """The batch's requests, validated for shape, size and unique ids."""
    items = payload.get("requests") if isinstance(payload, dict) else None
    if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
        raise bad_request("Invalid batch payload format.")
    if not items or len(items) > MAX_BATCH_REQUESTS:
        raise bad_request(f"A batch must contain between 1 and {MAX_BATCH_REQUESTS} requests.")
    ids = [str(item.get("id", "")) for item in items]
    if "" in ids or len(set(ids)) != len(ids):
        raise bad_request("Every request in a batch needs a unique id.")
    for item in items:
        url = str(item.get("url", ""))
        if not url or url.startswith(("http://", "https://")) or "$batch" in url:
            raise bad_request(f"Invalid request URL '{url}': use a relative URL such as /me.")
        if not isinstance(item.get("headers") or {}, dict):
            raise bad_request(f"Request '{item['id']}': headers must be an object.")
        if not isinstance(item.get("dependsOn") or [], list):
            raise bad_request(f"Request '{item['id']}': dependsOn must be an array of ids.")
    return items


def _run_one(item: dict[str, Any]) -> dict[str, Any]:
    """Execute one batched request against this app and describe its response."""
    url = str(item["url"])
    headers = {str(k): str(v) for k, v in (item.get("headers") or {}).items()}
    headers["Authorization"] = request.headers.get("Authorization", "")
    headers[INNER_REQUEST_HEADER] = "1"
    client = current_app.test_client()
    inner = client.open(
        "/v1.0" + (url if url.startswith("/") else "/" + url),
        method=str(item.get("method", "GET")).upper(),
        headers=headers,
        json=item.get("body"),
        base_url=request.host_url,
    )
    kept = {name: inner.headers[name] for name in KEPT_RESPONSE_HEADERS if name in inner.headers}
    if inner.is_json:
        body: Any = inner.get_json()
    else:
        body = base64.b64encode(inner.get_data()).decode("ascii")
    inner.close()
    return {"id": str(item["id"]), "status": inner.status_code, "headers": kept, "body": body}


def _failed_dependency(item: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": str(item["id"]),
        "status": 424,
        "headers": {},
        "body": {
            "error": {
                "code": "FailedDependency",
                "message": "A request this request depends on failed.",
            }
        },
    }


def run_batch() -> Response:
    """Run every request of the batch in order, honouring dependsOn."""
    authenticate_caller()
    items = _checked_requests(request.get_json(silent=True))
    statuses: dict[str, int] = {}
    responses = []
    for item in items:
        depends = [str(d) for d in item.get("dependsOn") or []]
        if any(statuses.get(d, 424) >= 400 for d in depends):
            result = _failed_dependency(item)
        else:
            result = _run_one(item)
        statuses[result["id"]] = result["status"]
        responses.append(result)
    return jsonify({"responses": responses})
