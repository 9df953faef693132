"""How demo-app answers: JSON for API clients, a page for browsers, and its error shape."""

from __future__ import annotations

from typing import Any

from flask import request


def wants_json() -> bool:
    """True when the client prefers JSON to HTML (an API client, not a browser)."""
    return request.accept_mimetypes.best_match(["text/html", "application/json"]) == (
        "application/json"
    )


def error_body(code: str, message: str) -> dict[str, Any]:
    """An error as demo-app's JSON carries it."""
    return {"error": {"code": code, "message": message}}
