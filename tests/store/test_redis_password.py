"""Redis as redis/start-redis.sh starts it: only the services' user gets in, with its password,
and only to signin: keys and harmless commands; without a usable password it does not start.
The native stack runs its Redis that way."""

from __future__ import annotations

import os
import secrets
import stat
import subprocess
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import redis

from native_stack.ports import free_port
from native_stack.redis_server import START_REDIS_SCRIPT, RedisAcl, start_redis_server
from native_stack.stack import NativeStack, StackOptions
from signin_core.errors import StoreUnavailableError
from signin_core.store.byte_store import RedisByteStore
from signin_core.store.redis_connection import connect_redis
from signin_core.store.redis_urls import parse_redis_url


@dataclass(frozen=True)
class PasswordRedis:
    """A redis-server started through start-redis.sh, and the services' password for it."""

    port: int
    password: str

    @property
    def url(self) -> str:
        """Its URL as the services' user, without the password."""
        return f"redis://signin@127.0.0.1:{self.port}/0"


@pytest.fixture(scope="module")
def password_redis(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PasswordRedis]:
    """A redis-server of our own that admits the user `signin` with a random password."""
    run_dir = tmp_path_factory.mktemp("password-redis")
    port = free_port()
    acl = RedisAcl(password=secrets.token_urlsafe(24))
    process = start_redis_server(
        run_dir / "data", port, appendonly=False, log_path=run_dir / "redis.log", acl=acl
    )
    yield PasswordRedis(port, acl.password)
    process.stop()


@contextmanager
def store_at(url: str, password: str | None = None) -> Iterator[RedisByteStore]:
    """The services' byte store on url (with password), closed afterwards."""
    connection = connect_redis(url, password=password, timeout_seconds=1)
    try:
        yield RedisByteStore(connection)
    finally:
        connection.close()


def assert_refused(store: RedisByteStore) -> None:
    assert store.ping() is False
    with pytest.raises(StoreUnavailableError):
        store.get("signin:session:probe")
    with pytest.raises(StoreUnavailableError):
        store.set("signin:session:probe", b"x", ttl_seconds=60)


@pytest.mark.parametrize("user", ["", "signin@"], ids=["default-user", "services-user"])
def test_a_client_without_the_password_is_refused(password_redis: PasswordRedis, user: str) -> None:
    with store_at(f"redis://{user}127.0.0.1:{password_redis.port}/0") as store:
        assert_refused(store)


def test_a_wrong_password_is_refused(password_redis: PasswordRedis) -> None:
    with store_at(password_redis.url, password="not-" + password_redis.password) as store:
        assert_refused(store)


def test_the_default_user_is_off_even_with_the_right_password(
    password_redis: PasswordRedis,
) -> None:
    url = f"redis://127.0.0.1:{password_redis.port}/0"  # no user name: Redis's `default`
    with store_at(url, password=password_redis.password) as store:
        assert_refused(store)


@pytest.mark.parametrize("form", ["password-apart", "password-in-url"])
def test_the_services_user_gets_in_with_its_password(
    password_redis: PasswordRedis, form: str
) -> None:
    if form == "password-apart":
        url, password = password_redis.url, password_redis.password
    else:
        url, password = (
            f"redis://signin:{password_redis.password}@127.0.0.1:{password_redis.port}/0",
            None,
        )
    with store_at(url, password) as store:
        assert store.ping() is True
        store.set(f"signin:session:{form}", b"sealed record", ttl_seconds=60)
        assert store.get(f"signin:session:{form}") == b"sealed record"
        store.delete(f"signin:session:{form}")
        assert store.get(f"signin:session:{form}") is None


REFUSED_TO_THE_SERVICES: dict[str, Callable[[redis.Redis], Any]] = {
    "SET outside signin:": lambda client: client.set("session:abc", b"x"),
    "GET outside signin:": lambda client: client.get("other-app:key"),
    "FLUSHALL": lambda client: client.flushall(),
    "FLUSHDB": lambda client: client.flushdb(),
    "CONFIG GET": lambda client: client.config_get("requirepass"),
    "CONFIG SET": lambda client: client.config_set("appendonly", "no"),
    "KEYS": lambda client: client.keys("signin:*"),
    "INFO": lambda client: client.info(),
    "SHUTDOWN": lambda client: client.shutdown(nosave=True),
    "ACL LIST": lambda client: client.acl_list(),
}


@pytest.mark.parametrize("command", sorted(REFUSED_TO_THE_SERVICES))
def test_the_services_user_may_not_touch_other_keys_or_run_dangerous_commands(
    password_redis: PasswordRedis, command: str
) -> None:
    client = redis.Redis(
        port=password_redis.port, username="signin", password=password_redis.password
    )
    try:
        with pytest.raises(redis.exceptions.NoPermissionError):
            REFUSED_TO_THE_SERVICES[command](client)
        assert client.ping() is True  # refused, and Redis still runs
    finally:
        client.close()


def run_script(tmp_path: Path, variables: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """start-redis.sh with only variables set and `true` as redis-server: it exits at once,
    0 if it would have started Redis."""
    env = {
        "PATH": os.environ["PATH"],
        "REDIS_ACL_FILE": str(tmp_path / "users.acl"),
        "REDIS_SERVER": "true",
        **variables,
    }
    return subprocess.run(
        [str(START_REDIS_SCRIPT)], env=env, capture_output=True, text=True, timeout=30
    )


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        ({}, "set REDIS_PASSWORD (or REDIS_PASSWORD_FILE)"),
        ({"REDIS_PASSWORD": ""}, "set REDIS_PASSWORD (or REDIS_PASSWORD_FILE)"),
        ({"REDIS_PASSWORD": "two words"}, "must not contain spaces"),
        ({"REDIS_PASSWORD": "tab\tinside"}, "must not contain spaces"),
        ({"REDIS_PASSWORD": "line\nbreak"}, "must not contain spaces"),
        ({"REDIS_PASSWORD_FILE": "/nonexistent/redis-password"}, "cannot read REDIS_PASSWORD_FILE"),
    ],
    ids=["unset", "empty", "space", "tab", "line-break", "unreadable-file"],
)
def test_the_script_refuses_to_start_without_a_usable_password(
    tmp_path: Path, variables: dict[str, str], message: str
) -> None:
    result = run_script(tmp_path, variables)
    assert result.returncode != 0
    assert message in result.stderr
    password = variables.get("REDIS_PASSWORD")
    assert not password or password not in result.stderr  # never echoed
    assert not (tmp_path / "users.acl").exists()


def test_the_script_reads_the_password_file_and_writes_a_private_acl(tmp_path: Path) -> None:
    password_file = tmp_path / "redis-password"
    password_file.write_text("from-a-secret-file\n")
    extra = "user admin on >admin-password ~* &* +@all"
    result = run_script(
        tmp_path,
        {
            "REDIS_PASSWORD_FILE": str(password_file),
            "REDIS_USERNAME": "sessions",
            "REDIS_EXTRA_ACL_LINE": extra,
        },
    )
    assert result.returncode == 0, result.stderr
    acl_file = tmp_path / "users.acl"
    assert acl_file.read_text().splitlines() == [
        "user default off",
        "user sessions on >from-a-secret-file ~signin:* &* +@all -@dangerous",
        extra,
    ]
    assert stat.S_IMODE(acl_file.stat().st_mode) == 0o600


def test_the_native_stack_runs_its_redis_with_a_password_of_its_own(
    storage_stack: NativeStack, tmp_path: Path
) -> None:
    stranger = redis.Redis(port=storage_stack.redis_port)
    try:
        with pytest.raises(redis.exceptions.AuthenticationError):
            stranger.ping()
    finally:
        stranger.close()
    services = storage_stack.service_environment()
    assert services["REDIS_PASSWORD"] == storage_stack.redis_password
    assert parse_redis_url(services["REDIS_URL"]).password is None
    assert services["REDIS_URL"] == storage_stack.redis_url
    with storage_stack.redis_client() as as_the_services:
        assert as_the_services.ping() is True
        with pytest.raises(redis.exceptions.NoPermissionError):
            as_the_services.config_get("appendonly")
    with storage_stack.redis_client(admin=True) as as_admin:
        assert as_admin.config_get("appendonly") == {"appendonly": "yes"}
    another_run = NativeStack(StackOptions(run_dir=tmp_path))
    assert another_run.redis_password != storage_stack.redis_password
