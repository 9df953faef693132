"""Structured JSON logs: one line per request, every line with the request id nginx gave."""

from __future__ import annotations

import json
import logging
import re
import secrets
import sys
import time
from datetime import UTC, datetime

from flask import Flask, Response, g, has_request_context, request

REQUEST_ID_HEADER = "X-Request-Id"
REQUEST_ID_PATTERN = re.compile(r"^[A-Za-z0-9-]{8,64}$")
QUIET_LOGGERS = ("msal", "urllib3", "werkzeug")


class JsonLineFormatter(logging.Formatter):
    """Formats a record as one JSON object: time, level, service, request id, message."""

    def __init__(self, service: str) -> None:
        super().__init__()
        self._service = service

    def format(self, record: logging.LogRecord) -> str:
        """Return the record as a JSON line; request fields come from `extra`."""
        line = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "service": self._service,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", None) or current_request_id(),
        }
        for field in ("method", "route", "path", "status", "duration_ms"):
            if hasattr(record, field):
                line[field] = getattr(record, field)
        line.update(getattr(record, "noted", {}))
        if record.exc_info:
            line["error"] = record.exc_info[0].__name__ if record.exc_info[0] else "error"
        return json.dumps(line, separators=(",", ":"))


def current_request_id() -> str | None:
    """The id of the request being served, if any."""
    return g.get("request_id") if has_request_context() else None


def configure_json_logging(service: str, level: int = logging.INFO) -> None:
    """Send every log record of this process to stderr as JSON lines."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonLineFormatter(service))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)


def note_in_request_log(**fields: str | int) -> None:
    """Add fields to the one line the current request will be logged with."""
    noted: dict[str, str | int] = g.setdefault("request_log_noted", {})
    noted.update(fields)


def init_request_logging(app: Flask) -> None:
    """Log one line per request (path without its query string) and echo the request id."""
    log = logging.getLogger("request")

    @app.before_request
    def take_request_id() -> None:
        sent = request.headers.get(REQUEST_ID_HEADER, "")
        g.request_id = sent if REQUEST_ID_PATTERN.match(sent) else secrets.token_hex(16)
        g.request_log_started = time.perf_counter()

    @app.after_request
    def log_request(response: Response) -> Response:
        started = g.get("request_log_started", time.perf_counter())
        route = request.url_rule.rule if request.url_rule is not None else "unmatched"
        log.info(
            "request",
            extra={
                "method": request.method,
                "route": route,
                "path": request.path,
                "status": response.status_code,
                "duration_ms": round((time.perf_counter() - started) * 1000, 2),
                "noted": g.get("request_log_noted", {}),
            },
        )
        response.headers.setdefault(REQUEST_ID_HEADER, g.get("request_id", ""))
        return response
