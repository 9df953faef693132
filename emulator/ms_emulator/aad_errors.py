"""Errors of the identity endpoints, shaped like Entra ID's."""

from __future__ import annotations

import datetime
import uuid
from typing import Any

from flask import Response, jsonify, request


def correlation_id() -> str:
    """The caller's client-request-id when it sent one, else a fresh GUID."""
    sent = request.headers.get("client-request-id", "").strip()
    return sent or str(uuid.uuid4())


class AadError(Exception):
    """An OAuth error with an AADSTS code, rendered as Entra's JSON error body."""

    def __init__(
        self,
        error: str,
        code: int,
        message: str,
        *,
        status: int = 400,
        suberror: str | None = None,
        claims: str | None = None,
    ) -> None:
        super().__init__(f"AADSTS{code}: {message}")
        self.error = error
        self.code = code
        self.message = message
        self.status = status
        self.suberror = suberror
        self.claims = claims

    @property
    def summary(self) -> str:
        """The "AADSTSnnn: message" line."""
        return f"AADSTS{self.code}: {self.message}"

    def body(self, trace_id: str, correlation: str) -> dict[str, Any]:
        """The JSON body Entra would send."""
        now = datetime.datetime.now(datetime.UTC)
        stamp = now.strftime("%Y-%m-%d %H:%M:%SZ")
        description = (
            f"{self.summary} Trace ID: {trace_id} Correlation ID: {correlation} Timestamp: {stamp}"
        )
        body: dict[str, Any] = {
            "error": self.error,
            "error_description": description,
            "error_codes": [self.code],
            "timestamp": stamp,
            "trace_id": trace_id,
            "correlation_id": correlation,
            "error_uri": f"https://login.microsoftonline.com/error?code={self.code}",
        }
        if self.suberror:
            body["suberror"] = self.suberror
        if self.claims:
            body["claims"] = self.claims
        return body

    def to_response(self) -> Response:
        """A JSON response carrying this error."""
        response = jsonify(self.body(str(uuid.uuid4()), correlation_id()))
        response.status_code = self.status
        response.headers["Cache-Control"] = "no-store"
        return response


def invalid_request(code: int, message: str) -> AadError:
    """An invalid_request error."""
    return AadError("invalid_request", code, message)


def invalid_grant(code: int, message: str, **kwargs: Any) -> AadError:
    """An invalid_grant error."""
    return AadError("invalid_grant", code, message, **kwargs)
