"""The id Graph's client-request-id carries, in the GUID form it wants: the request's trace id.

nginx sends every request a W3C traceparent: the client's when valid, else one it starts
whose trace id is its own request id (X-Request-Id). Either way Graph's client-request-id is
the trace id, which ties Graph's logs to the trace and, when nginx started it, to our logs'
request_id; a request that did not come through nginx falls back to its X-Request-Id.
"""

from __future__ import annotations

import re

from flask import request

NGINX_REQUEST_ID = re.compile(r"^[0-9a-f]{32}$")
TRACE_ID_OF_TRACEPARENT = re.compile(
    r"^00-(?!0{32})([0-9a-f]{32})-(?!0{16})[0-9a-f]{16}-[0-9a-f]{2}$"
)


def client_request_id() -> str | None:
    """Return the request's trace id (else nginx's X-Request-Id) as a GUID (8-4-4-4-12), or
    None if neither is there and well formed."""
    found = TRACE_ID_OF_TRACEPARENT.match(request.headers.get("traceparent", ""))
    if found is not None:
        raw = found[1]
    else:
        raw = request.headers.get("X-Request-Id", "").lower()
        if not NGINX_REQUEST_ID.match(raw):
            return None
    return f"{raw[:8]}-{raw[8:12]}-{raw[12:16]}-{raw[16:20]}-{raw[20:]}"
