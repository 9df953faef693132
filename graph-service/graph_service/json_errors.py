"""Errors as JSON in Graph's error envelope."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

from flask import Flask, jsonify
from flask.typing import ResponseReturnValue
from werkzeug.exceptions import HTTPException

from signin_state.errors import CredentialUnavailableError, StoreUnavailableError
from signin_state.metrics import current_metrics
from signin_state.msal_client import IDENTITY_PLATFORM_FAILURES
from signin_state.request_logging import current_request_id

log = logging.getLogger(__name__)

IDENTITY_PLATFORM_RETRY_AFTER_SECONDS = 5


class GraphServiceError(Exception):
    """An error graph-service answers with its own code."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        *,
        headers: dict[str, str] | None = None,
        **extra: Any,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers or {}
        self.extra = extra


def identity_platform_unavailable() -> GraphServiceError:
    """503 when the identity platform cannot renew a token now; the sign-in itself is fine."""
    return GraphServiceError(
        503,
        "identity_platform_unavailable",
        "Microsoft's sign-in service could not renew your access right now; retry shortly.",
        headers={"Retry-After": str(IDENTITY_PLATFORM_RETRY_AFTER_SECONDS)},
    )


def error_body(code: str, message: str, **extra: Any) -> dict[str, Any]:
    """Return an error body shaped like Graph's."""
    inner = {"date": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S")}
    request_id = current_request_id()
    if request_id:
        inner["request-id"] = request_id
    return {"error": {"code": code, "message": message, **extra, "innerError": inner}}


def register_json_errors(app: Flask) -> None:
    """Answer every error with JSON, never an HTML page or a stack trace."""

    @app.errorhandler(GraphServiceError)
    def service_error(error: GraphServiceError) -> ResponseReturnValue:
        body = error_body(error.code, error.message, **error.extra)
        return jsonify(body), error.status, error.headers

    @app.errorhandler(StoreUnavailableError)
    def store_unavailable(_: StoreUnavailableError) -> ResponseReturnValue:
        log.error("token store unavailable")
        current_metrics().redis_errors.inc()
        body = error_body("store_unavailable", "Token storage is unavailable; retry shortly.")
        return jsonify(body), 503, {"Retry-After": "5"}

    @app.errorhandler(CredentialUnavailableError)
    def credential_unavailable(error: CredentialUnavailableError) -> ResponseReturnValue:
        log.error("client credential unavailable: %s", error)
        body = error_body(
            "credential_unavailable",
            "graph-service cannot prove its identity to Microsoft right now; retry shortly.",
        )
        return jsonify(body), 503, {"Retry-After": "30"}

    def identity_platform_failed(error: Exception) -> ResponseReturnValue:
        log.warning("identity platform did not answer: %s", type(error).__name__)
        return service_error(identity_platform_unavailable())

    for failure in IDENTITY_PLATFORM_FAILURES:
        app.register_error_handler(failure, identity_platform_failed)

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> ResponseReturnValue:
        code = (error.name or "error").lower().replace(" ", "_")
        return jsonify(error_body(code, error.description or "")), error.code or 500

    @app.errorhandler(Exception)
    def unexpected(error: Exception) -> ResponseReturnValue:
        log.exception("unexpected error")
        return jsonify(error_body("internal_error", "An unexpected error happened.")), 500
