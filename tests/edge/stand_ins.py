"""Upstreams that stand in for the services and the app behind nginx in the edge tests."""

from __future__ import annotations

import json
import socket
import threading
from dataclasses import dataclass
from socketserver import ThreadingMixIn
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from native_stack.ports import free_port

SESSION_CHECK_PATH = "/_auth/check"


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base's name
        pass


class _ThreadingWSGIServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


@dataclass(frozen=True)
class ProbedRequest:
    """One request as an upstream received it."""

    method: str
    path: str
    headers: dict[str, str]  # lower-case names


class HeaderProbe:
    """An upstream that records the requests nginx sends it and answers their headers back.

    In auth-service's place it also answers the session check: 200 when the check carries a
    cookie, 401 otherwise. With hold set, every request waits for it before answering.
    """

    def __init__(self, hold: threading.Event | None = None) -> None:
        self.port = free_port()
        self.requests: list[ProbedRequest] = []
        self._hold = hold
        self._lock = threading.Lock()
        self._in_progress = 0
        self._server: WSGIServer = make_server(
            "127.0.0.1",
            self.port,
            self._echo_headers,
            server_class=_ThreadingWSGIServer,
            handler_class=_QuietHandler,
        )
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def received(self) -> list[dict[str, str]]:
        """The headers of every request so far, in order."""
        return [request.headers for request in self.requests]

    def session_checks_for(self, original_uri: str) -> list[ProbedRequest]:
        """The session checks nginx sent this probe for requests to original_uri."""
        return [
            request
            for request in self.requests
            if request.path == SESSION_CHECK_PATH
            and request.headers.get("x-original-uri") == original_uri
        ]

    @property
    def in_progress(self) -> int:
        """Requests received and not answered yet."""
        with self._lock:
            return self._in_progress

    def _echo_headers(self, environ: dict[str, Any], start_response: Any) -> list[bytes]:
        # The WSGI environ folds `-` and `_` together: both X-User-Id and X_User_Id would
        # arrive as HTTP_X_USER_ID, so a smuggled underscore name cannot hide here.
        headers = {
            name[5:].replace("_", "-").lower(): value
            for name, value in environ.items()
            if name.startswith("HTTP_")
        }
        path = environ.get("PATH_INFO", "")
        with self._lock:
            self.requests.append(ProbedRequest(environ["REQUEST_METHOD"], path, headers))
            self._in_progress += 1
        try:
            if self._hold is not None:
                self._hold.wait(30)
            if path == SESSION_CHECK_PATH and "cookie" not in headers:
                start_response("401 Unauthorized", [("Content-Type", "text/plain")])
                return [b""]
            body = json.dumps({"path": path, "headers": headers}).encode()
            start_response("200 OK", [("Content-Type", "application/json")])
            return [body]
        finally:
            with self._lock:
                self._in_progress -= 1

    def start(self) -> None:
        """Serve in background threads."""
        self._thread.start()

    def stop(self) -> None:
        """Stop serving and close the socket."""
        self._server.shutdown()
        self._server.server_close()


class UnansweredPort:
    """A port whose connections never complete: its one-place accept queue is kept full, so
    the kernel drops every further connection attempt and nginx's connect times out."""

    def __init__(self) -> None:
        self.port = free_port()
        self._listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._listener.bind(("127.0.0.1", self.port))
        self._listener.listen(0)
        self._filler = socket.create_connection(("127.0.0.1", self.port), timeout=5)

    def close(self) -> None:
        """Close both ends."""
        self._filler.close()
        self._listener.close()
