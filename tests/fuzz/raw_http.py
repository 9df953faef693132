"""HTTP/1.1 requests as raw bytes over a socket, so any byte can be sent (requests refuses
control bytes, bad methods and the like), and the status line read back."""

from __future__ import annotations

import socket
from dataclasses import dataclass, field, replace

# Enough of an answer to read its status line; the rest is read and dropped.
READ_CHUNK = 65536


@dataclass(frozen=True)
class RawRequest:
    """One request as it goes on the wire: every part is bytes, nothing is checked."""

    method: bytes
    target: bytes
    headers: tuple[tuple[bytes, bytes], ...] = ()
    body: bytes = b""
    version: bytes = b"HTTP/1.1"
    # Content-Length is added from the body unless a header line of the request says otherwise.
    content_length: bool = True
    extra_lines: tuple[bytes, ...] = field(default=())  # header lines sent exactly as they are

    def with_header(self, name: bytes, value: bytes) -> RawRequest:
        """This request with one more header (earlier ones of that name stay)."""
        return replace(self, headers=(*self.headers, (name, value)))

    def without_header(self, name: bytes) -> RawRequest:
        """This request without any header called name (case-insensitive)."""
        kept = tuple(item for item in self.headers if item[0].lower() != name.lower())
        return replace(self, headers=kept)

    def header(self, name: bytes) -> bytes | None:
        """The first value of header name, if any."""
        for header_name, value in self.headers:
            if header_name.lower() == name.lower():
                return value
        return None

    def to_bytes(self) -> bytes:
        """The request as sent: request line, headers, Connection: close, blank line, body."""
        lines = [self.method + b" " + self.target + b" " + self.version]
        lines += [name + b": " + value for name, value in self.headers]
        lines += list(self.extra_lines)
        if self.content_length and (self.body or self.method not in (b"GET", b"HEAD")):
            if self.header(b"content-length") is None and self.header(b"transfer-encoding") is None:
                lines.append(b"Content-Length: " + str(len(self.body)).encode())
        lines.append(b"Connection: close")
        return b"\r\n".join(lines) + b"\r\n\r\n" + self.body


@dataclass(frozen=True)
class RawAnswer:
    """What came back: the status code, or why there was none."""

    status: int | None
    problem: str = ""
    head: bytes = b""  # the status line and headers
    body_start: bytes = b""

    @property
    def has_request_id(self) -> bool:
        """Whether it carries X-Request-Id, as every answer of the services does."""
        return b"\r\nx-request-id:" in self.head.lower()


def send_raw(host: str, port: int, request: RawRequest, *, timeout_seconds: float) -> RawAnswer:
    """Send request on a new connection and read the answer until the server closes it."""
    received = bytearray()
    try:
        with socket.create_connection((host, port), timeout=timeout_seconds) as connection:
            try:
                connection.sendall(request.to_bytes())
            except OSError:
                pass  # the server may answer (413) and stop reading before the body is sent
            while True:
                chunk = connection.recv(READ_CHUNK)
                if not chunk:
                    break
                if len(received) < READ_CHUNK:
                    received += chunk
    except TimeoutError:
        return RawAnswer(None, "timed out")
    except OSError as error:
        if not received:
            return RawAnswer(None, f"connection failed: {type(error).__name__}")
    return parse_answer(bytes(received))


def parse_answer(received: bytes) -> RawAnswer:
    """The status of an HTTP/1.x answer, or the problem with it."""
    if not received:
        return RawAnswer(None, "closed without an answer")
    head, _, body = received.partition(b"\r\n\r\n")
    status_line = head.partition(b"\r\n")[0]
    parts = status_line.split(b" ", 2)
    if len(parts) < 2 or not parts[0].startswith(b"HTTP/") or not parts[1].isdigit():
        return RawAnswer(None, f"no status line: {status_line[:60]!r}")
    return RawAnswer(int(parts[1]), head=head, body_start=body[:200])
