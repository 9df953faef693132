"""The request id nginx gives each request, in the GUID form Graph's client-request-id wants."""

from __future__ import annotations

import re

from flask import request

NGINX_REQUEST_ID = re.compile(r"^[0-9a-f]{32}$")


def client_request_id() -> str | None:
    """Return nginx's X-Request-Id as a GUID (8-4-4-4-12), or None if absent or malformed."""
    raw = request.headers.get("X-Request-Id", "").lower()
    if not NGINX_REQUEST_ID.match(raw):
        return None
    return f"{raw[:8]}-{raw[8:12]}-{raw[12:16]}-{raw[16:20]}-{raw[20:]}"
