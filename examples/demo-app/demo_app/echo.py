"""The echo page and its WebSocket: a socket through nginx that knows who the user is."""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any

from flask import Blueprint, render_template, request
from flask.typing import ResponseReturnValue
from flask_sock import Sock

from demo_app.identity import forwarded_user
from demo_app.settings import DemoAppSettings

# Pings keep an idle socket open: nginx closes one on which the app sent nothing for 60 s.
PING_INTERVAL_SECONDS = 25
MAX_MESSAGE_BYTES = 16 * 1024
SOCKET_OPTIONS = {"ping_interval": PING_INTERVAL_SECONDS, "max_message_size": MAX_MESSAGE_BYTES}


def hello_message() -> dict[str, Any]:
    """The first message on a socket: who nginx said the user is at the handshake."""
    user = forwarded_user(request.headers)
    return {
        "type": "hello",
        "user": asdict(user) if user else None,
        "cookie_names": sorted(request.cookies),
    }


def echo_message(received: str | bytes) -> dict[str, Any]:
    """The answer to one message: its text back (bytes are read as UTF-8)."""
    text = received if isinstance(received, str) else received.decode("utf-8", "replace")
    return {"type": "echo", "text": text}


def echo_blueprint(settings: DemoAppSettings, sock: Sock) -> Blueprint:
    """The page at APP_PATH + "echo" and its socket at APP_PATH + "ws/echo"."""
    blueprint = Blueprint("echo", __name__)

    @blueprint.get(settings.app_path + "echo")
    def echo_page() -> ResponseReturnValue:
        """A page that talks to the echo socket (its script is static/echo.js)."""
        return render_template(
            "echo.html", user=forwarded_user(request.headers), app_path=settings.app_path
        )

    def echo_socket(ws: Any) -> None:
        """Greet with who the user is, then send every message back until the socket closes."""
        ws.send(json.dumps(hello_message()))
        while True:
            ws.send(json.dumps(echo_message(ws.receive())))

    sock.route(settings.app_path + "ws/echo", bp=blueprint)(echo_socket)
    return blueprint
