"""Requests written byte by byte on a socket: what requests and urllib3 refuse to send."""

from __future__ import annotations

import http.client
import json
import socket
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class RawAnswer:
    """A response read back from the socket."""

    status: int
    headers: http.client.HTTPMessage
    body: bytes

    def json(self) -> Any:
        """The body as JSON."""
        return json.loads(self.body)


def raw_request(
    port: int,
    request_line: str,
    headers: list[tuple[str, str]],
    *,
    body: bytes = b"",
    source_address: str = "127.0.0.1",
) -> RawAnswer:
    """Send one HTTP/1.1 request to 127.0.0.1:port as given (latin-1 bytes, no checks)."""
    lines = [request_line, *(f"{name}: {value}" for name, value in headers), "Connection: close"]
    if body:
        lines.append(f"Content-Length: {len(body)}")
    data = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body
    with socket.create_connection(
        ("127.0.0.1", port), timeout=15, source_address=(source_address, 0)
    ) as connection:
        connection.sendall(data)
        answer = http.client.HTTPResponse(connection)
        answer.begin()
        return RawAnswer(answer.status, answer.headers, answer.read())
