"""WebSockets to the protected app: the upgrade passes nginx after the session check, with who
the user is and without our session cookie; signed out, the handshake is refused."""

from __future__ import annotations

import json
import socket
from typing import Any

import simple_websocket

from native_stack.stack import NativeStack
from tests.support.browser import Browser

ECHO_PATH = "/app/ws/echo"


def websocket_url(stack: NativeStack) -> str:
    """The demo app's echo socket, at nginx's address."""
    return stack.public_url.replace("http://", "ws://", 1) + ECHO_PATH


def cookie_header(browser: Browser) -> str:
    """The Cookie header the browser would send to nginx."""
    return "; ".join(f"{name}={value}" for name, value in browser.http.cookies.items())


def receive_json(ws: simple_websocket.Client) -> dict[str, Any]:
    """The next message, as JSON; a socket that stays silent fails the test."""
    message = ws.receive(timeout=10)
    assert message is not None, "the socket sent nothing"
    decoded: dict[str, Any] = json.loads(message)
    return decoded


def raw_handshake(stack: NativeStack, extra_headers: str = "") -> bytes:
    """Send a WebSocket handshake to nginx and return its answer's head."""
    host, port = stack.public_url.removeprefix("http://").rsplit(":", 1)
    with socket.create_connection((host, int(port)), timeout=10) as connection:
        connection.sendall(
            (
                f"GET {ECHO_PATH} HTTP/1.1\r\nHost: {host}:{port}\r\n"
                "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
                f"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n{extra_headers}\r\n"
            ).encode()
        )
        answer = b""
        while b"\r\n\r\n" not in answer:
            chunk = connection.recv(4096)
            if not chunk:
                break
            answer += chunk
    return answer


def test_signed_in_the_echo_works_and_the_app_knows_the_user(
    edge_stack: NativeStack, signed_in_browser: Browser
) -> None:
    assert edge_stack.registration is not None
    cookies = cookie_header(signed_in_browser)
    assert "signin_session=" in cookies
    ws = simple_websocket.Client.connect(
        websocket_url(edge_stack),
        headers={"Cookie": cookies + "; theme=dark", "X-User-Email": "forged@example.org"},
    )
    try:
        # Send before reading: this client leaves a frame that came in the same read as the
        # handshake's answer (the app's greeting) unread until more data arrives.
        ws.send("ping from the test")
        hello = receive_json(ws)
        echoed = receive_json(ws)
    finally:
        ws.close()
    assert hello["type"] == "hello"
    assert hello["user"]["email"] == edge_stack.registration.usernames[0]
    assert hello["user"]["name"] == edge_stack.registration.display_names[0]
    assert "theme" in hello["cookie_names"]  # the app's own cookies pass, never our session's
    assert not [name for name in hello["cookie_names"] if "signin_session" in name]
    assert echoed == {"type": "echo", "text": "ping from the test"}


def test_signed_out_the_handshake_is_refused_with_401_before_the_app(
    edge_stack: NativeStack,
) -> None:
    answer = raw_handshake(edge_stack)
    head = answer.split(b"\r\n\r\n", 1)[0].decode()
    assert head.startswith("HTTP/1.1 401 "), head
    assert "location:" not in head.lower()  # no redirect to sign in for a socket
    assert "cache-control: no-store" in head.lower()


def test_a_forged_identity_on_a_signed_out_handshake_does_not_pass(
    edge_stack: NativeStack,
) -> None:
    answer = raw_handshake(edge_stack, "X-User-Id: forged\r\nX-User-Email: forged@example\r\n")
    assert answer.startswith(b"HTTP/1.1 401 "), answer


def test_plain_requests_to_the_app_are_not_upgraded(
    edge_stack: NativeStack, signed_in_browser: Browser
) -> None:
    seen = signed_in_browser.get(
        edge_stack.public_url + "/app/",
        headers={"Accept": "application/json", "Upgrade": "h2c", "Connection": "Upgrade"},
    ).json()
    names = {name.lower() for name in seen["headers"]}
    assert "upgrade" not in names
    assert seen["headers"].get("Connection", "") in ("", "close")


def test_the_graph_route_never_passes_an_upgrade(
    edge_stack: NativeStack, signed_in_browser: Browser
) -> None:
    answer = signed_in_browser.get(
        edge_stack.public_url + "/graph/me",
        headers={"Upgrade": "websocket", "Connection": "Upgrade", "Accept": "application/json"},
    )
    assert answer.status_code == 200, answer.text
    received = answer.json()["headers"]  # graph-service's stand-in answers what it got
    assert "upgrade" not in received
    assert received.get("connection", "") in ("", "close")
