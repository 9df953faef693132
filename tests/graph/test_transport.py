"""The Graph transport: our CA over REQUESTS_CA_BUNDLE, proxies from the environment, timeouts."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import certifi
import pytest
from graph_service.graph_transport import GraphTransport, GraphUnreachableError

from native_stack.ports import free_port
from native_stack.stack import NativeStack
from signin_core.identity.outbound_http import OutboundSession


@pytest.fixture
def emulator_ca(gateway_stack: NativeStack) -> str:
    return str(Path(gateway_stack.run_dir) / "emulator" / "ca.crt")


@pytest.fixture
def no_environment_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY",
                 "all_proxy", "NO_PROXY", "no_proxy"):  # fmt: skip
        monkeypatch.delenv(name, raising=False)


class LoopbackServer:
    """Listens on a free loopback port and serves each connection on a thread of its own."""

    def __init__(self) -> None:
        self.port = free_port()
        self.connections = 0
        self._listener = socket.create_server(("127.0.0.1", self.port))
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            self.connections += 1
            threading.Thread(
                target=self.serve, args=(client, self.connections), daemon=True
            ).start()

    def serve(self, client: socket.socket, number: int) -> None:
        """Handle connection number `number` (from 1)."""
        raise NotImplementedError

    def close(self) -> None:
        self._listener.close()


class ConnectProxy(LoopbackServer):
    """A real HTTP CONNECT proxy on loopback that records the tunnels it opened."""

    def __init__(self) -> None:
        self.tunnels: list[str] = []
        super().__init__()

    def serve(self, client: socket.socket, number: int) -> None:
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = client.recv(4096)
            if not chunk:
                client.close()
                return
            head += chunk
        method, target, _ = head.split(b"\r\n", 1)[0].decode().split(" ", 2)
        if method != "CONNECT":
            client.sendall(b"HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\n\r\n")
            client.close()
            return
        self.tunnels.append(target)
        host, port = target.rsplit(":", 1)
        upstream = socket.create_connection((host, int(port)))
        client.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
        for source, sink in ((client, upstream), (upstream, client)):
            threading.Thread(target=self._pipe, args=(source, sink), daemon=True).start()

    @staticmethod
    def _pipe(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for end in (source, sink):
                try:
                    end.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                end.close()


@pytest.fixture
def connect_proxy() -> Iterator[ConnectProxy]:
    proxy = ConnectProxy()
    yield proxy
    proxy.close()


def test_our_ca_is_trusted_even_when_requests_ca_bundle_points_elsewhere(
    gateway_stack: NativeStack,
    emulator_ca: str,
    no_environment_proxy: None,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", certifi.where())
    url = f"{gateway_stack.emulator_url}/v1.0/me"
    transport = GraphTransport.for_origin_of(url, OutboundSession(ca_bundle=emulator_ca))
    answer = transport.request("GET", url, headers={"client-request-id": "transport-test"})
    transport.close()
    assert answer.status_code == 401  # the emulator answered: TLS with our CA worked
    assert answer.json()["error"]["code"] == "InvalidAuthenticationToken"
    assert answer.headers["REQUEST-ID"]  # header names in any case


def test_without_our_ca_the_certificate_is_refused(
    gateway_stack: NativeStack, no_environment_proxy: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", certifi.where())
    url = f"{gateway_stack.emulator_url}/v1.0/me"
    transport = GraphTransport.for_origin_of(url, OutboundSession())
    with pytest.raises(GraphUnreachableError, match="SSL"):
        transport.request("GET", url, headers={})


def test_proxy_from_the_environment_carries_the_call(
    gateway_stack: NativeStack,
    emulator_ca: str,
    no_environment_proxy: None,
    connect_proxy: ConnectProxy,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("HTTPS_PROXY", f"http://127.0.0.1:{connect_proxy.port}")
    url = f"{gateway_stack.emulator_url}/v1.0/me"
    session = OutboundSession(ca_bundle=emulator_ca)
    assert session.trust_and_proxy_for(url) == (
        emulator_ca,
        f"http://127.0.0.1:{connect_proxy.port}",
    )
    transport = GraphTransport.for_origin_of(url, session)
    answer = transport.request("GET", url, headers={})
    transport.close()
    assert answer.status_code == 401
    assert connect_proxy.tunnels == [url.split("/")[2]]


def test_no_proxy_keeps_graph_direct(
    no_environment_proxy: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.contoso.example:3128")
    monkeypatch.setenv("NO_PROXY", "graph.contoso.example")
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", certifi.where())  # used when we have no CA of our own
    session = OutboundSession()
    assert session.trust_and_proxy_for("https://graph.contoso.example/v1.0")[1] is None
    proxied = session.trust_and_proxy_for("https://graph.microsoft.com/v1.0")
    assert proxied == (certifi.where(), "http://proxy.contoso.example:3128")


def test_a_closed_port_is_unreachable(no_environment_proxy: None) -> None:
    transport = GraphTransport(ca_certs=certifi.where())
    with pytest.raises(GraphUnreachableError):
        transport.request("GET", f"https://127.0.0.1:{free_port()}/v1.0/me", headers={})
    transport.close()


def test_a_silent_graph_times_out_on_the_read_timeout(no_environment_proxy: None) -> None:
    silent = socket.create_server(("127.0.0.1", 0))  # accepts the connection, never answers
    transport = GraphTransport(ca_certs=certifi.where(), timeout=(1.0, 0.5))
    started = time.monotonic()
    try:
        with pytest.raises(GraphUnreachableError, match="Timeout"):
            transport.request(
                "GET", f"https://127.0.0.1:{silent.getsockname()[1]}/v1.0/me", headers={}
            )
    finally:
        transport.close()
        silent.close()
    assert time.monotonic() - started < 3


class ServerThatDropsReusedConnections(LoopbackServer):
    """Plain HTTP on loopback: answers a connection's first request and keeps it open, then
    closes it without answering the next one, as a server whose idle timeout ends just as
    the client reuses the connection."""

    def __init__(self) -> None:
        self.requests: list[tuple[int, str]] = []  # (connection number, method) as received
        super().__init__()
        self.url = f"http://127.0.0.1:{self.port}/v1.0/me"

    def serve(self, client: socket.socket, number: int) -> None:
        with client, client.makefile("rb") as reader:
            for answered in (True, False):
                request_line = reader.readline()
                if not request_line:
                    return
                length = 0
                while (line := reader.readline()) not in (b"\r\n", b""):
                    name, _, value = line.decode().partition(":")
                    if name.lower() == "content-length":
                        length = int(value)
                reader.read(length)
                self.requests.append((number, request_line.split()[0].decode()))
                if answered:
                    client.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}")


@pytest.fixture
def dropping_server() -> Iterator[ServerThatDropsReusedConnections]:
    server = ServerThatDropsReusedConnections()
    yield server
    server.close()


def test_a_get_on_a_connection_closed_under_it_is_sent_once_more(
    dropping_server: ServerThatDropsReusedConnections, no_environment_proxy: None
) -> None:
    transport = GraphTransport(ca_certs=certifi.where())
    try:
        first = transport.request("GET", dropping_server.url, headers={})
        second = transport.request("GET", dropping_server.url, headers={})
    finally:
        transport.close()
    assert (first.status_code, second.status_code) == (200, 200)
    # The second GET met the closing connection, then went out again on a new one.
    assert dropping_server.requests == [(1, "GET"), (1, "GET"), (2, "GET")]


def test_a_post_on_a_connection_closed_under_it_is_not_repeated(
    dropping_server: ServerThatDropsReusedConnections, no_environment_proxy: None
) -> None:
    transport = GraphTransport(ca_certs=certifi.where())
    try:
        transport.request("GET", dropping_server.url, headers={})
        with pytest.raises(GraphUnreachableError, match="ProtocolError"):
            transport.request("POST", dropping_server.url, headers={}, json_body={"a": 1})
    finally:
        transport.close()
    # Graph may have acted on it: one POST only, and the caller is told it failed.
    assert dropping_server.requests == [(1, "GET"), (1, "POST")]
