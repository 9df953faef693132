"""Redis at its memory limit: start-redis.sh sets one and never evicts, so a full Redis keeps
every record and refuses writes, which the services answer with a 503 and Retry-After."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import redis

from native_stack.ports import free_port
from native_stack.processes import StackStartError
from native_stack.redis_server import ADMIN_USERNAME, RedisAcl, start_redis_server
from native_stack.stack import NativeStack
from signin_core.errors import StoreFullError, StoreUnavailableError
from signin_core.store.byte_store import RedisByteStore
from signin_core.store.redis_connection import connect_redis
from tests.store.conftest import NewUser
from tests.support.browser import Browser
from tests.support.sign_in import sign_in_through

MIB = 1024 * 1024
RECORD = b"r" * 4096  # a little more than a signed-in user's session and token cache


@contextmanager
def script_redis(run_dir: Path, maxmemory: str | None) -> Iterator[tuple[int, RedisAcl]]:
    """redis-server started by start-redis.sh (REDIS_MAXMEMORY=maxmemory, or its default)."""
    port = free_port()
    acl = RedisAcl(password=secrets.token_urlsafe(24), admin_password=secrets.token_urlsafe(24))
    process = start_redis_server(
        run_dir / "data",
        port,
        appendonly=False,
        log_path=run_dir / "redis.log",
        acl=acl,
        maxmemory=maxmemory,
    )
    try:
        yield port, acl
    finally:
        process.stop()


def admin_client(port: int, acl: RedisAcl) -> redis.Redis:
    return redis.Redis(port=port, username=ADMIN_USERNAME, password=acl.admin_password)


@pytest.mark.parametrize(
    ("maxmemory", "limit"), [(None, 256 * MIB), ("64mb", 64 * MIB), ("1gb", 1024 * MIB)]
)
def test_start_redis_sets_the_memory_limit_and_never_evicts(
    tmp_path: Path, maxmemory: str | None, limit: int
) -> None:
    with script_redis(tmp_path, maxmemory) as (port, acl):
        client = admin_client(port, acl)
        try:
            assert client.config_get("maxmemory") == {"maxmemory": str(limit)}
            assert client.config_get("maxmemory-policy") == {"maxmemory-policy": "noeviction"}
        finally:
            client.close()


def test_start_redis_refuses_a_memory_limit_that_is_no_size(tmp_path: Path) -> None:
    with pytest.raises(StackStartError, match="REDIS_MAXMEMORY must be a size"):
        with script_redis(tmp_path, "lots"):
            pass


def test_a_write_refused_for_memory_is_store_full_and_every_record_stays(tmp_path: Path) -> None:
    with script_redis(tmp_path, "4mb") as (port, acl):
        connection = connect_redis(f"redis://signin@127.0.0.1:{port}/0", password=acl.password)
        store = RedisByteStore(connection)
        stored: list[str] = []
        try:
            with pytest.raises(StoreFullError, match="maxmemory") as refused:
                for number in range(4 * MIB // len(RECORD) * 2):
                    store.set(f"signin:session:{number}", RECORD, ttl_seconds=600)
                    stored.append(f"signin:session:{number}")
            assert isinstance(refused.value, StoreUnavailableError)  # the services' 503
            assert stored, "the first write was refused already"
            # Nothing was evicted: every record written before the limit is still there.
            assert all(store.get(key) == RECORD for key in stored)
            assert store.ping() is True
            store.delete(stored[0])  # deleting frees memory and is never refused
            assert store.get(stored[0]) is None
        finally:
            connection.close()


@contextmanager
def redis_full(stack: NativeStack) -> Iterator[None]:
    """The stack's Redis with its limit below what it uses now; the old limit back afterwards."""
    admin = stack.redis_client(admin=True)
    before = admin.config_get("maxmemory")["maxmemory"]
    try:
        assert admin.config_get("maxmemory-policy") == {"maxmemory-policy": "noeviction"}
        admin.config_set("maxmemory", str(admin.info("memory")["used_memory"] // 2))
        yield
    finally:
        admin.config_set("maxmemory", before)
        admin.close()


def test_a_full_redis_answers_503_store_full_and_signs_nobody_out(
    storage_stack: NativeStack, browser: Browser, new_user: NewUser
) -> None:
    url = storage_stack.public_url
    user = new_user()
    sign_in_through(browser, url, user.username)
    newcomer = new_user()
    with redis_full(storage_stack), Browser() as visitor:
        # Starting to sign in stores nothing (the flow waits in the browser): it still works.
        picker = visitor.get(url + "/login")
        assert picker.status_code == 200 and newcomer.username in picker.text
        # Completing it must store the session: refused, and said so, not a 500.
        refused = visitor.submit(picker, button=newcomer.username)
        assert refused.status_code == 503, refused.text[:300]
        assert refused.headers["Retry-After"] == "30"
        assert refused.headers["Content-Type"].startswith("text/html")
        assert "is full" in refused.text
        # Reads still work: the signed-in user stays signed in.
        assert user.display_name in browser.get(url + "/").text
    assert user.display_name in browser.get(url + "/").text
    assert visitor_can_start_signing_in(url)


def visitor_can_start_signing_in(url: str) -> bool:
    with Browser() as visitor:
        answer = visitor.http.get(url + "/login", allow_redirects=False, timeout=10)
        return answer.status_code == 302
