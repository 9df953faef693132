"""Finding free loopback ports."""

from __future__ import annotations

import random
import socket
import threading
from pathlib import Path

# Ports below the kernel's ephemeral range, which it never hands to an outgoing connection on
# its own: a port the kernel picked (bind to port 0) is one an outgoing connection may take
# between our check and the server's bind, and under load one did ("Address already in use").
LOWEST_PORT = 20000
EPHEMERAL_RANGE_FILE = Path("/proc/sys/net/ipv4/ip_local_port_range")
DEFAULT_EPHEMERAL_LOW = 32768  # Linux's default


class _HandedOut:
    """The ports this process already handed out: free_port never gives one twice."""

    def __init__(self) -> None:
        self.ports: set[int] = set()
        self.lock = threading.Lock()


_handed_out = _HandedOut()


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that is free right now, below the ephemeral range and
    not handed out before by this process."""
    below_ephemeral = ephemeral_range_low() - 1
    highest = below_ephemeral if below_ephemeral > LOWEST_PORT else 65535
    with _handed_out.lock:
        for _ in range(1000):
            port = random.randint(LOWEST_PORT, highest)
            if port not in _handed_out.ports and port_is_free(port):
                _handed_out.ports.add(port)
                return port
    raise RuntimeError(f"no free port between {LOWEST_PORT} and {highest} on 127.0.0.1")


def ephemeral_range_low() -> int:
    """The lowest port the kernel gives outgoing connections (Linux; elsewhere its default)."""
    try:
        return int(EPHEMERAL_RANGE_FILE.read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return DEFAULT_EPHEMERAL_LOW


def port_is_free(port: int) -> bool:
    """Return True if nothing listens on 127.0.0.1:port."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True
