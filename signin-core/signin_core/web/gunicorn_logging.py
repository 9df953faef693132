"""gunicorn's own messages as the services' JSON lines, never quoting a query string.

gunicorn logs what it refuses before the application sees it (an unreadable request line, a
header it cannot parse) and what it cannot serve, quoting the request line or URI: a
callback's authorization code would land in the log as plain text. Here each of its records
becomes one JSON line, with query strings cut and no traceback (the exception's type only).
"""

from __future__ import annotations

import logging
import re
import sys
from typing import Any

from gunicorn import glogging

from signin_core.web.request_logging import JsonLineFormatter

QUERY = re.compile(r"(?P<before>[^\s'\"?]*)\?[^\s'\"]*")


class WithoutQueries(logging.Filter):
    """Renders a record's message once, with every query string replaced by `?…`."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Rewrite record in place; keep it."""
        record.msg = QUERY.sub(r"\g<before>?…", record.getMessage())
        record.args = ()
        return True


def service_name(proc_name: str) -> str:
    """auth-service from gunicorn's process name `auth_service.app:create_app()`."""
    return proc_name.split(".", 1)[0].split(":", 1)[0].replace("_", "-") or "gunicorn"


class JsonLinesLogger(glogging.Logger):  # type: ignore[misc]
    """gunicorn's error log as JSON lines on stderr (there is no access log: the app logs)."""

    def setup(self, cfg: Any) -> None:
        """Set gunicorn up as usual, then give its error log our one handler."""
        super().setup(cfg)
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(JsonLineFormatter(service_name(str(cfg.proc_name))))
        handler.addFilter(WithoutQueries())
        self.error_log.handlers[:] = [handler]
