"""Your app behind the stack, in containers: its backend reads Graph as the user with nginx's
grant (never a token), and its WebSocket echo works signed in and is refused signed out."""

from __future__ import annotations

import json
import socket
from urllib.parse import urlsplit

import simple_websocket

from tests.container_stack.conftest import RunningStack
from tests.support.browser import Browser
from tests.support.sign_in import sign_in_through

JSON = {"Accept": "application/json"}
ECHO_PATH = "/app/ws/echo"


def test_the_apps_backend_reads_the_profile_through_the_grant(dev_stack: RunningStack) -> None:
    url, registration = dev_stack.public_url, dev_stack.registration
    with Browser() as browser:
        sign_in_through(browser, url, registration.usernames[0])
        answer = browser.get(url + "/app/profile", headers=JSON)
        assert answer.status_code == 200, answer.text
        assert answer.json()["profile"]["userPrincipalName"] == registration.usernames[0]
        seen = browser.get(url + "/app/whoami", headers=JSON).json()["headers"]
    assert not [value for value in seen.values() if "Bearer" in str(value)]


def test_the_websocket_echo_works_signed_in_and_is_refused_signed_out(
    dev_stack: RunningStack,
) -> None:
    url, registration = dev_stack.public_url, dev_stack.registration
    with Browser() as browser:
        sign_in_through(browser, url, registration.usernames[0])
        cookies = "; ".join(f"{name}={value}" for name, value in browser.http.cookies.items())
    ws = simple_websocket.Client.connect(
        url.replace("http://", "ws://", 1) + ECHO_PATH, headers={"Cookie": cookies}
    )
    try:
        ws.send("ping from the container suite")
        hello = json.loads(ws.receive(timeout=10) or "{}")
        echoed = json.loads(ws.receive(timeout=10) or "{}")
    finally:
        ws.close()
    assert hello["user"]["email"] == registration.usernames[0]
    assert echoed == {"type": "echo", "text": "ping from the container suite"}

    address = urlsplit(url)
    with socket.create_connection((address.hostname, address.port), timeout=10) as connection:
        connection.sendall(
            (
                f"GET {ECHO_PATH} HTTP/1.1\r\nHost: {address.netloc}\r\nUpgrade: websocket\r\n"
                "Connection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
                "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n"
            ).encode()
        )
        assert connection.recv(64).startswith(b"HTTP/1.1 401 ")
