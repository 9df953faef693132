"""Errors as JSON in Graph's error envelope: every layer's error type mapped to its answer."""

from __future__ import annotations

import base64
import logging
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

from flask import Flask, jsonify, request
from flask.typing import ResponseReturnValue
from werkzeug.exceptions import HTTPException

from graph_service.graph_client import GraphClientError
from graph_service.graph_paths import InvalidGraphPathError
from signin_core.errors import CredentialUnavailableError, StoreUnavailableError
from signin_core.tokens import IdentityPlatformUnavailableError, SignInRequiredError
from signin_core.web.metrics import ServiceMetrics
from signin_core.web.request_logging import current_request_id

log = logging.getLogger(__name__)

IDENTITY_PLATFORM_RETRY_AFTER_SECONDS = 5
# How each reason to sign in again is answered: our code and message.
SIGN_IN_AGAIN = {
    "no_stored_tokens": ("login_required", "No tokens are stored for this user; sign in again."),
    "login_required": (
        "login_required",
        "The stored sign-in can no longer get a token; sign in again.",
    ),
    "consent_required": (
        "consent_required",
        "This needs permissions you have not granted yet; sign in to consent.",
    ),
    "claims_challenge": ("claims_challenge", "Microsoft asks you to sign in again."),
}


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


def login_url(*, next_path: str, scopes: tuple[str, ...] = (), claims: str | None = None) -> str:
    """The auth-service URL that signs the user in again, asking for scopes or claims."""
    query: dict[str, str] = {}
    if scopes:
        query["scopes"] = " ".join(scopes)
    if claims:
        query["claims"] = base64.urlsafe_b64encode(claims.encode()).decode().rstrip("=")
    query["next"] = next_path
    return "/login?" + urlencode(query)


def error_body(code: str, message: str, **extra: Any) -> dict[str, Any]:
    """Return an error body shaped like Graph's."""
    inner = {"date": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S")}
    request_id = current_request_id()
    if request_id:
        inner["request-id"] = request_id
    return {"error": {"code": code, "message": message, **extra, "innerError": inner}}


def init_app(app: Flask, metrics: ServiceMetrics) -> None:
    """Answer every error with JSON, never an HTML page or a stack trace."""

    @app.errorhandler(GraphServiceError)
    def service_error(error: GraphServiceError) -> ResponseReturnValue:
        body = error_body(error.code, error.message, **error.extra)
        return jsonify(body), error.status, error.headers

    @app.errorhandler(InvalidGraphPathError)
    def invalid_path(error: InvalidGraphPathError) -> ResponseReturnValue:
        return jsonify(error_body("invalid_path", str(error))), 400

    @app.errorhandler(GraphClientError)
    def graph_failed(error: GraphClientError) -> ResponseReturnValue:
        return jsonify(error_body(error.code, error.message)), 502

    @app.errorhandler(SignInRequiredError)
    def sign_in_required(error: SignInRequiredError) -> ResponseReturnValue:
        code, message = SIGN_IN_AGAIN[error.reason]
        again = login_url(
            next_path=request.full_path.rstrip("?"), scopes=error.scopes, claims=error.claims
        )
        return jsonify(error_body(code, message, login_url=again)), 401

    @app.errorhandler(IdentityPlatformUnavailableError)
    def identity_platform_unavailable(_: IdentityPlatformUnavailableError) -> ResponseReturnValue:
        body = error_body(
            "identity_platform_unavailable",
            "Microsoft's sign-in service could not renew your access right now; retry shortly.",
        )
        return jsonify(body), 503, {"Retry-After": str(IDENTITY_PLATFORM_RETRY_AFTER_SECONDS)}

    @app.errorhandler(StoreUnavailableError)
    def store_unavailable(_: StoreUnavailableError) -> ResponseReturnValue:
        log.error("token store unavailable")
        metrics.redis_errors.inc()
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

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> ResponseReturnValue:
        code = (error.name or "error").lower().replace(" ", "_")
        return jsonify(error_body(code, error.description or "")), error.code or 500

    @app.errorhandler(Exception)
    def unexpected(error: Exception) -> ResponseReturnValue:
        log.exception("unexpected error")
        return jsonify(error_body("internal_error", "An unexpected error happened.")), 500
