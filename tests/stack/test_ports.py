"""The loopback ports the stacks and tests start servers on."""

from __future__ import annotations

import socket

from native_stack.ports import LOWEST_PORT, ephemeral_range_low, free_port


def test_free_ports_are_distinct_bindable_and_never_ones_an_outgoing_connection_takes() -> None:
    ports = [free_port() for _ in range(300)]
    assert len(set(ports)) == len(ports)
    assert all(LOWEST_PORT <= port < ephemeral_range_low() for port in ports), ports
    with socket.socket() as server:
        server.bind(("127.0.0.1", ports[-1]))
