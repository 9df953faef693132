"""Rendering the emulator's HTML pages with safe headers."""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Mapping
from typing import Any

from flask import Response, make_response, render_template

from ms_emulator.aad_errors import AadError, correlation_id

CONTENT_SECURITY_POLICY = (
    "default-src 'none'; style-src 'unsafe-inline'; script-src 'self'; img-src 'self' data:; "
    "form-action *; base-uri 'none'; frame-ancestors 'self'"
)


def render_page(template: str, status: int = 200, **context: Any) -> Response:
    """Render an HTML template with no-store and a strict content security policy."""
    response = make_response(render_template(template, **context), status)
    response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


def error_page(error: AadError) -> Response:
    """The "trouble signing you in" page showing the AADSTS code."""
    stamp = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return render_page(
        "error.html",
        status=error.status,
        summary=error.summary,
        request_id=str(uuid.uuid4()),
        correlation_id=correlation_id(),
        timestamp=stamp,
    )


def hidden_fields(params: Mapping[str, str], excluded: tuple[str, ...]) -> dict[str, str]:
    """Request parameters to carry through a form, without the excluded names."""
    return {name: value for name, value in params.items() if name not in excluded}
