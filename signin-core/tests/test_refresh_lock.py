"""The refresh lock against a real redis-server: held for its whole block however many leases
that lasts, released by its owner alone, and a waiter goes on only with the lock."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from native_stack.ports import free_port
from native_stack.redis_server import start_redis_server
from signin_core.store.redis_connection import RedisConnection, connect_redis
from signin_core.tokens.refresh_lock import (
    MemoryRefreshLocks,
    RedisRefreshLocks,
    RefreshLocks,
    refresh_lock_key,
)

LEASE_SECONDS = 1.0
HELD_FOR_SECONDS = 3 * LEASE_SECONDS  # a block that outlives its initial lease three times
USER = "user-a"


@pytest.fixture(scope="module")
def redis_port(tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    """A redis-server of this module's own on a free loopback port."""
    port = free_port()
    run_dir: Path = tmp_path_factory.mktemp("refresh-lock-redis")
    server = start_redis_server(run_dir, port, appendonly=False, log_path=run_dir / "redis.log")
    yield port
    server.stop()


@pytest.fixture
def connection(redis_port: int) -> Iterator[RedisConnection]:
    """A connection to the emptied redis-server."""
    opened = connect_redis(f"redis://127.0.0.1:{redis_port}/0")
    opened.client().flushall()
    yield opened
    opened.close()


def redis_locks(connection: RedisConnection) -> RedisRefreshLocks:
    """Locks whose lease lapses after LEASE_SECONDS unless renewed (as by a dead holder)."""
    return RedisRefreshLocks(connection, lease_seconds=LEASE_SECONDS)


@pytest.fixture(params=["memory", "redis"])
def locks(request: pytest.FixtureRequest, redis_port: int) -> Iterator[RefreshLocks]:
    """Each implementation of the contract in turn."""
    if request.param == "memory":
        yield MemoryRefreshLocks()
        return
    opened = connect_redis(f"redis://127.0.0.1:{redis_port}/0")
    opened.client().flushall()
    yield redis_locks(opened)
    opened.close()


def test_a_lock_held_for_several_leases_keeps_its_key_and_keeps_others_out(
    connection: RedisConnection,
) -> None:
    client = connection.client()
    key = refresh_lock_key(USER)
    other_process = redis_locks(connection)
    with redis_locks(connection).hold(USER, wait_seconds=0) as taken:
        assert taken
        token = client.get(key)
        time.sleep(HELD_FOR_SECONDS)
        assert client.get(key) == token  # renewed, not lapsed
        remaining_ms = client.pttl(key)
        assert isinstance(remaining_ms, int) and remaining_ms > 0
        with other_process.hold(USER, wait_seconds=0) as other_taken:
            assert not other_taken
    assert client.exists(key) == 0  # released at once by its owner


def test_a_waiter_goes_on_only_after_the_holder_is_done(locks: RefreshLocks) -> None:
    events: list[str] = []
    guard = threading.Lock()
    holding = threading.Event()

    def note(event: str) -> None:
        with guard:
            events.append(event)

    def holder() -> None:
        with locks.hold(USER, wait_seconds=0) as taken:
            assert taken
            note("holder in")
            holding.set()
            time.sleep(HELD_FOR_SECONDS)
            note("holder out")

    def waiter(name: str, wait_seconds: float) -> None:
        with locks.hold(USER, wait_seconds=wait_seconds) as taken:
            note(f"{name} {'in' if taken else 'gave up'}")

    threads = [threading.Thread(target=holder)]
    threads[0].start()
    assert holding.wait(timeout=5)
    threads += [
        threading.Thread(target=waiter, args=("patient", HELD_FOR_SECONDS + 10)),
        # waits longer than one lease, less than the whole hold
        threading.Thread(target=waiter, args=("hasty", 1.5 * LEASE_SECONDS)),
    ]
    for thread in threads[1:]:
        thread.start()
    for thread in threads:
        thread.join(timeout=HELD_FOR_SECONDS + 15)
    assert events == ["holder in", "hasty gave up", "holder out", "patient in"]


def test_the_lock_is_released_by_its_owner_alone(connection: RedisConnection) -> None:
    client = connection.client()
    key = refresh_lock_key(USER)
    with redis_locks(connection).hold(USER, wait_seconds=0) as taken:
        assert taken
        token = client.get(key)
        time.sleep(2 * LEASE_SECONDS)
        assert client.get(key) == token
        # Say the holder lost Redis for a whole lease and another process took the lock.
        client.set(key, b"someone-else", px=int(10 * LEASE_SECONDS * 1000))
        time.sleep(LEASE_SECONDS)  # the holder's renewer finds the lock no longer its own
    assert client.get(key) == b"someone-else"
    remaining_ms = client.pttl(key)
    assert isinstance(remaining_ms, int) and remaining_ms <= 9 * LEASE_SECONDS * 1000
