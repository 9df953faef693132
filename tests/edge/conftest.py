"""The edge's own stack: the demo app behind nginx, a header probe in graph-service's place,
and a trusted load balancer address, all on loopback."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import pytest

from native_stack.ports import free_port
from native_stack.stack import NativeStack, StackOptions
from tests.support.browser import Browser
from tests.support.sign_in import sign_in_through

# Source addresses on the loopback network: each is a different client to nginx.
RATE_LIMITED_CLIENT = "127.0.0.2"
TRUSTED_BALANCER = "127.0.0.3"
OTHER_CLIENT = "127.0.0.4"


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base's name
        pass


class HeaderProbe:
    """An upstream that records the headers nginx sends it and answers them back as JSON."""

    def __init__(self) -> None:
        self.port = free_port()
        self.received: list[dict[str, str]] = []
        self._server: WSGIServer = make_server(
            "127.0.0.1", self.port, self._echo_headers, handler_class=_QuietHandler
        )
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def _echo_headers(self, environ: dict[str, Any], start_response: Any) -> list[bytes]:
        # The WSGI environ folds `-` and `_` together: both X-User-Id and X_User_Id would
        # arrive as HTTP_X_USER_ID, so a smuggled underscore name cannot hide here.
        headers = {
            name[5:].replace("_", "-").lower(): value
            for name, value in environ.items()
            if name.startswith("HTTP_")
        }
        self.received.append(headers)
        body = json.dumps({"path": environ.get("PATH_INFO", ""), "headers": headers}).encode()
        start_response("200 OK", [("Content-Type", "application/json")])
        return [body]

    def start(self) -> None:
        """Serve in a background thread."""
        self._thread.start()

    def stop(self) -> None:
        """Stop serving and close the socket."""
        self._server.shutdown()
        self._server.server_close()


@pytest.fixture(scope="session")
def header_probe() -> Iterator[HeaderProbe]:
    """The stand-in upstream behind /graph/ in the edge stack: it shows what nginx forwards."""
    probe = HeaderProbe()
    probe.start()
    yield probe
    probe.stop()


@pytest.fixture(scope="session")
def edge_stack(
    tmp_path_factory: pytest.TempPathFactory, header_probe: HeaderProbe
) -> Iterator[NativeStack]:
    """The stack with demo-app at /app/, the header probe behind /graph/, and a balancer."""
    options = StackOptions(
        run_dir=tmp_path_factory.mktemp("edge-stack"),
        graph_workers=1,
        demo_app=True,
        nginx_env={
            "GRAPH_SERVICE_SERVERS": f"server 127.0.0.1:{header_probe.port};",
            "TRUSTED_PROXY": f"{TRUSTED_BALANCER}/32",
            "SIGN_IN_RATE_LIMIT": "100r/s",
            "SIGN_IN_RATE_BURST": "40",
        },
    )
    running = NativeStack(options)
    running.start()
    yield running
    running.stop()


@pytest.fixture
def signed_in_browser(edge_stack: NativeStack, browser: Browser) -> Browser:
    """A browser-like client signed in to the edge stack as the first seeded user."""
    assert edge_stack.registration is not None
    landed = sign_in_through(browser, edge_stack.public_url, edge_stack.registration.usernames[0])
    assert landed.url.rstrip("/") == edge_stack.public_url, landed.url
    return browser
