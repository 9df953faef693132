"""nginx, not a service, closes an idle connection between them.

If a service closed idle connections first, nginx could send a request on a connection at
the moment the service closes it: a GET is retried, but a POST (sign-out, $batch) would be
answered 502. So each service keeps an idle connection open longer than nginx does.
"""

from __future__ import annotations

import re
import socket
import time

from native_stack.stack import REPO_ROOT, NativeStack
from signin_core.web import gunicorn_config

GUNICORN_DEFAULT_KEEPALIVE_SECONDS = 2


def nginx_upstream_keepalive_seconds() -> list[int]:
    """keepalive_timeout of every upstream block in nginx's template, in seconds."""
    template = (REPO_ROOT / "nginx" / "templates" / "default.conf.template").read_text()
    blocks = re.findall(r"^upstream \w+ \{(.*?)^\}", template, re.M | re.S)
    return [int(re.search(r"keepalive_timeout (\d+)s;", block)[1]) for block in blocks]  # type: ignore[index]


def test_services_outwait_nginx_on_idle_connections() -> None:
    timeouts = nginx_upstream_keepalive_seconds()
    assert len(timeouts) == 2  # auth_service, graph_service
    assert gunicorn_config.keepalive > max(timeouts)


def ask_health(connection: socket.socket) -> bytes:
    """Send GET /healthz on a kept-alive connection and read the whole answer; return its
    status line (b"" when the service had closed the connection)."""
    connection.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
    answer = b""
    while b"\r\n\r\n" not in answer:
        chunk = connection.recv(4096)
        if not chunk:
            return b""
        answer += chunk
    head, _, body = answer.partition(b"\r\n\r\n")
    length = int(re.search(rb"(?im)^content-length: *(\d+)", head)[1])  # type: ignore[index]
    while len(body) < length:
        body += connection.recv(4096)
    return head.split(b"\r\n", 1)[0]


def test_a_service_keeps_an_idle_connection_longer_than_nginx(stack: NativeStack) -> None:
    # Idle past nginx's timeout and past gunicorn's default (which nginx's once outlasted).
    idle_seconds = max(*nginx_upstream_keepalive_seconds(), GUNICORN_DEFAULT_KEEPALIVE_SECONDS)
    for port in (stack.auth_port, stack.graph_port):
        with socket.create_connection(("127.0.0.1", port), timeout=5) as connection:
            assert ask_health(connection) == b"HTTP/1.1 200 OK"
            time.sleep(idle_seconds + 0.5)
            assert ask_health(connection) == b"HTTP/1.1 200 OK", port
