"""One contract suite, run against every ByteStore implementation."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
import redis

from signin_state.byte_store import ByteStore, MemoryByteStore, RedisByteStore
from signin_state.errors import StoreUnavailableError
from signin_state.redis_connection import connect_redis


@pytest.fixture(params=["memory", "redis"])
def store(request: pytest.FixtureRequest) -> Iterator[ByteStore]:
    if request.param == "memory":
        yield MemoryByteStore()
        return
    client: redis.Redis = request.getfixturevalue("redis_client")
    yield RedisByteStore(client)


def test_missing_key_is_none(store: ByteStore) -> None:
    assert store.get("absent") is None


def test_set_then_get_returns_the_same_bytes(store: ByteStore) -> None:
    value = bytes(range(256))
    store.set("k", value, 60)
    assert store.get("k") == value


def test_set_overwrites(store: ByteStore) -> None:
    store.set("k", b"one", 60)
    store.set("k", b"two", 60)
    assert store.get("k") == b"two"


def test_delete_removes_and_is_idempotent(store: ByteStore) -> None:
    store.set("k", b"v", 60)
    store.delete("k")
    store.delete("k")
    assert store.get("k") is None


def test_values_expire(store: ByteStore) -> None:
    store.set("k", b"v", 1)
    time.sleep(1.1)
    assert store.get("k") is None


@pytest.mark.parametrize("ttl", [0, -5])
def test_non_positive_ttl_is_refused(store: ByteStore, ttl: int) -> None:
    with pytest.raises(ValueError):
        store.set("k", b"v", ttl)


def test_ping_answers(store: ByteStore) -> None:
    assert store.ping() is True


def test_unreachable_redis_raises_store_unavailable() -> None:
    from native_stack.ports import free_port

    store = RedisByteStore(connect_redis(f"redis://127.0.0.1:{free_port()}/0", timeout_seconds=0.5))
    assert store.ping() is False
    with pytest.raises(StoreUnavailableError):
        store.get("k")
    with pytest.raises(StoreUnavailableError):
        store.set("k", b"v", 10)


@pytest.mark.parametrize("url", ["http://localhost", "localhost:6379", ""])
def test_connect_redis_refuses_other_schemes(url: str) -> None:
    with pytest.raises(ValueError, match="REDIS_URL"):
        connect_redis(url)
