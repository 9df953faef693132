"""Friendly HTML error pages, never a stack trace."""

from __future__ import annotations

import logging

from flask import Flask, jsonify, render_template, request
from flask.typing import ResponseReturnValue
from werkzeug.exceptions import HTTPException

from auth_service.sign_in_error_hints import hint_for
from signin_state.errors import StoreUnavailableError
from signin_state.metrics import current_metrics
from signin_state.request_logging import current_request_id

log = logging.getLogger(__name__)


def error_page(
    status: int,
    title: str,
    message: str,
    *,
    retry_url: str | None = None,
    error_code: str | None = None,
    headers: dict[str, str] | None = None,
) -> ResponseReturnValue:
    """Render the error page with what happened and what to do next."""
    body = render_template(
        "error.html",
        request_id=current_request_id(),
        title=title,
        message=message,
        retry_url=retry_url,
        retry_label="Sign in again" if retry_url == "/login" else "Try again",
        error_code=error_code,
        hint=hint_for(error_code),
        status=status,
    )
    return body, status, headers or {}


def register_error_pages(app: Flask) -> None:
    """Install handlers so every error answers with a page."""

    @app.errorhandler(StoreUnavailableError)
    def store_unavailable(_: StoreUnavailableError) -> ResponseReturnValue:
        log.error("session store unavailable")
        current_metrics().redis_errors.inc()
        if request.accept_mimetypes.best_match(["text/html", "application/json"]) == (
            "application/json"
        ):
            message = "Session storage is unavailable; retry shortly."
            body = {"error": {"code": "store_unavailable", "message": message}}
            return jsonify(body), 503, {"Retry-After": "5"}
        return error_page(
            503,
            "Sign-in is briefly unavailable",
            "We cannot reach the place where we keep sign-ins right now, so we cannot tell "
            "who you are. Nothing is lost: please try again in a moment.",
            retry_url="/",
            headers={"Retry-After": "5"},
        )

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> ResponseReturnValue:
        if error.code == 404:
            return error_page(404, "Page not found", "There is no page at this address.")
        return error_page(error.code or 500, error.name, error.description or "")

    @app.errorhandler(Exception)
    def unexpected_error(error: Exception) -> ResponseReturnValue:
        log.exception("unexpected error")
        return error_page(
            500,
            "Something went wrong",
            "An unexpected error happened. Please try again.",
            retry_url="/",
        )
