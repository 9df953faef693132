"""A redis-server process of our own on a loopback port, with or without a password."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import redis

from native_stack.processes import ManagedProcess, StackStartError
from native_stack.repository import REPO_ROOT

# The images' start script: it writes the ACL (the services' user, the default user off).
START_REDIS_SCRIPT = REPO_ROOT / "redis" / "start-redis.sh"
SERVICE_USERNAME = "signin"  # start-redis.sh's default REDIS_USERNAME
ADMIN_USERNAME = "admin"
# What start-redis.sh reads; a caller's own values never reach it by accident.
START_REDIS_VARIABLES = (
    "REDIS_PASSWORD",
    "REDIS_PASSWORD_FILE",
    "REDIS_USERNAME",
    "REDIS_ACL_FILE",
    "REDIS_SERVER",
    "REDIS_EXTRA_ACL_LINE",
    "REDIS_MAXMEMORY",
)


@dataclass(frozen=True)
class RedisAcl:
    """The users start-redis.sh creates: the services' one and, for tests and benchmarks
    only, an admin that may run every command on every key (CONFIG, INFO, FLUSHALL, ...)."""

    password: str = field(repr=False)
    admin_password: str | None = field(default=None, repr=False)
    username: str = SERVICE_USERNAME

    def script_environment(self, acl_file: Path) -> dict[str, str]:
        """start-redis.sh's variables for these users, with the ACL written to acl_file."""
        env = {
            "REDIS_PASSWORD": self.password,
            "REDIS_USERNAME": self.username,
            "REDIS_ACL_FILE": str(acl_file),
            "REDIS_SERVER": redis_server_binary(),
        }
        if self.admin_password is not None:
            env["REDIS_EXTRA_ACL_LINE"] = (
                f"user {ADMIN_USERNAME} on >{self.admin_password} ~* &* +@all"
            )
        return env


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
    acl: RedisAcl | None = None,
    maxmemory: str | None = None,
) -> ManagedProcess:
    """Start redis-server on 127.0.0.1:port with its files in data_dir; wait until it answers.

    With appendonly, every write is fsynced before Redis answers (`appendfsync always`), so a
    restart finds everything that was acknowledged. port 0 means no plain TCP (TLS only).
    With acl, it starts through redis/start-redis.sh (its ACL file in data_dir), so only
    acl's users get in, with the images' memory limit (maxmemory, as REDIS_MAXMEMORY, or the
    script's default) and no eviction; without, anyone on loopback does, with no limit.
    """
    if maxmemory is not None and acl is None:
        raise ValueError("maxmemory is start-redis.sh's: give acl too")
    data_dir.mkdir(parents=True, exist_ok=True)
    options = [
        "--port", str(port), "--bind", "127.0.0.1",
        "--dir", str(data_dir), "--save", "",
        "--appendonly", "yes" if appendonly else "no",
        "--appendfsync", "always",
        *extra_args,
    ]  # fmt: skip
    env = dict(os.environ)
    if acl is None:
        argv = [redis_server_binary(), *options]
        probe = ready or (lambda: redis_answers(port))
    else:
        for variable in START_REDIS_VARIABLES:
            env.pop(variable, None)
        env.update(acl.script_environment(data_dir / "users.acl"))
        if maxmemory is not None:
            env["REDIS_MAXMEMORY"] = maxmemory
        argv = [str(START_REDIS_SCRIPT), *options]
        probe = ready or (lambda: redis_answers(port, username=acl.username, password=acl.password))
    process = ManagedProcess(name, argv, env, log_path)
    process.start()
    process.wait_ready(probe)
    return process


def redis_answers(port: int, *, username: str | None = None, password: str | None = None) -> bool:
    """True if a redis-server answers PING on 127.0.0.1:port (as username, with password)."""
    client = redis.Redis(
        port=port,
        username=username,
        password=password,
        socket_timeout=1,
        socket_connect_timeout=1,
    )
    try:
        return bool(client.ping())
    except redis.RedisError:
        return False
    finally:
        client.close()
