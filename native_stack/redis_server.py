"""A redis-server process of our own on a loopback port."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path

import redis

from native_stack.processes import ManagedProcess, StackStartError


def redis_server_binary() -> str:
    """Return the path of redis-server or explain how to install it."""
    found = shutil.which("redis-server") or shutil.which("redis-server", path="/usr/sbin:/sbin")
    if found is None:
        raise StackStartError(
            "redis-server is missing. Install it with: sudo apt-get install -y redis-server"
        )
    return found


def start_redis_server(
    data_dir: Path,
    port: int,
    *,
    appendonly: bool,
    log_path: Path,
    extra_args: tuple[str, ...] = (),
    ready: Callable[[], bool] | None = None,
    name: str = "redis",
) -> ManagedProcess:
    """Start redis-server on 127.0.0.1:port with its files in data_dir; wait until it answers.

    With appendonly, every write is fsynced before Redis answers (`appendfsync always`), so a
    restart finds everything that was acknowledged. port 0 means no plain TCP (TLS only).
    """
    data_dir.mkdir(parents=True, exist_ok=True)
    argv = [
        redis_server_binary(),
        "--port", str(port), "--bind", "127.0.0.1",
        "--dir", str(data_dir), "--save", "",
        "--appendonly", "yes" if appendonly else "no",
        "--appendfsync", "always",
        *extra_args,
    ]  # fmt: skip
    process = ManagedProcess(name, argv, dict(os.environ), log_path)
    process.start()
    process.wait_ready(ready or (lambda: redis_answers(port)))
    return process


def redis_answers(port: int) -> bool:
    """True if a redis-server answers PING on 127.0.0.1:port."""
    client = redis.Redis(port=port, socket_timeout=1, socket_connect_timeout=1)
    try:
        return bool(client.ping())
    finally:
        client.close()
