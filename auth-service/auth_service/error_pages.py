"""Friendly HTML error pages, never a stack trace."""

from __future__ import annotations

import logging

from flask import Flask, jsonify, render_template, request
from flask.typing import ResponseReturnValue
from werkzeug.exceptions import HTTPException

from auth_service.sign_in_error_hints import hint_for
from signin_core.errors import CredentialUnavailableError, StoreFullError, StoreUnavailableError
from signin_core.web.metrics import ServiceMetrics
from signin_core.web.request_logging import current_request_id

log = logging.getLogger(__name__)
# A full store frees itself as records expire (sign-ins in progress within minutes).
STORE_FULL_RETRY_AFTER_SECONDS = 30


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


def wants_json() -> bool:
    """True when the client prefers JSON to HTML (an API client, not a browser)."""
    wanted = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return wanted == "application/json"


def unavailable_answer(
    *, code: str, message: str, page_message: str, retry_url: str, retry_after_seconds: int
) -> ResponseReturnValue:
    """A 503 with Retry-After: JSON for API clients, the error page for browsers."""
    headers = {"Retry-After": str(retry_after_seconds)}
    if wants_json():
        return jsonify({"error": {"code": code, "message": message}}), 503, headers
    return error_page(
        503, "Sign-in is briefly unavailable", page_message, retry_url=retry_url, headers=headers
    )


def init_app(app: Flask, metrics: ServiceMetrics) -> None:
    """Install handlers so every error answers with a page; store outages count in metrics."""

    @app.errorhandler(StoreUnavailableError)
    def store_unavailable(_: StoreUnavailableError) -> ResponseReturnValue:
        log.error("session store unavailable")
        metrics.redis_errors.inc()
        return unavailable_answer(
            code="store_unavailable",
            message="Session storage is unavailable; retry shortly.",
            page_message="We cannot reach the place where we keep sign-ins right now, so we "
            "cannot tell who you are. Nothing is lost: please try again in a moment.",
            retry_url="/",
            retry_after_seconds=5,
        )

    @app.errorhandler(StoreFullError)
    def store_full(error: StoreFullError) -> ResponseReturnValue:
        log.error("session store full, a write was refused (Redis maxmemory): %s", error)
        metrics.redis_errors.inc()
        return unavailable_answer(
            code="store_full",
            message="Session storage is full; retry in a minute.",
            page_message="We cannot save sign-ins right now: the place where we keep them is "
            "full. Nobody is signed out by this. Please try again in a minute.",
            retry_url="/",
            retry_after_seconds=STORE_FULL_RETRY_AFTER_SECONDS,
        )

    @app.errorhandler(CredentialUnavailableError)
    def credential_unavailable(error: CredentialUnavailableError) -> ResponseReturnValue:
        log.error("client credential unavailable: %s", error)
        return unavailable_answer(
            code="credential_unavailable",
            message="This service cannot prove its identity to Microsoft right now.",
            page_message="This site cannot prove its own identity to Microsoft right now, so "
            "it cannot finish signing you in. Its operators can see why in the logs. Please "
            "try again in a minute.",
            retry_url="/login",
            retry_after_seconds=30,
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
