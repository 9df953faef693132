"""One contract suite, run against every ByteStore implementation and Redis topology."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from native_stack.ports import free_port
from signin_core.errors import StoreUnavailableError
from signin_core.store.byte_store import ByteStore, MemoryByteStore, RedisByteStore
from signin_core.store.redis_connection import connect_redis
from tests.store.conftest import REDIS_TOPOLOGIES, RedisDeployments, empty_redis


@pytest.fixture(params=["memory", *REDIS_TOPOLOGIES])
def store(
    request: pytest.FixtureRequest, redis_deployments: RedisDeployments
) -> Iterator[ByteStore]:
    if request.param == "memory":
        yield MemoryByteStore()
        return
    with empty_redis(redis_deployments, request.param) as connection:
        yield RedisByteStore(connection)


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


def test_keys_of_one_user_and_of_many_users_coexist(store: ByteStore) -> None:
    keys = [f"signin:{{user:{n}}}:tokencache:app" for n in range(20)] + ["signin:session:s"]
    for index, key in enumerate(keys):
        store.set(key, str(index).encode(), 60)
    assert [store.get(key) for key in keys] == [str(i).encode() for i in range(len(keys))]


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


@pytest.mark.parametrize(
    "url",
    [
        "redis://127.0.0.1:{port}/0",
        "redis+sentinel://127.0.0.1:{port}/signin-master/0",
        "redis+cluster://127.0.0.1:{port},127.0.0.1:{port2}",
    ],
    ids=["standalone", "sentinel", "cluster"],
)
def test_unreachable_redis_raises_store_unavailable(url: str) -> None:
    connection = connect_redis(url.format(port=free_port(), port2=free_port()), timeout_seconds=0.5)
    store = RedisByteStore(connection)
    assert store.ping() is False
    with pytest.raises(StoreUnavailableError):
        store.get("k")
    with pytest.raises(StoreUnavailableError):
        store.set("k", b"v", 10)
    with pytest.raises(StoreUnavailableError):
        store.delete("k")


def test_add_stores_only_when_absent(store: ByteStore) -> None:
    assert store.add("signin:k", b"first", 60)
    assert not store.add("signin:k", b"second", 60)
    assert store.get("signin:k") == b"first"
    store.delete("signin:k")
    assert store.add("signin:k", b"third", 60)


def test_get_and_touch_extends_a_live_value_only(store: ByteStore) -> None:
    assert store.get_and_touch("signin:absent", 60) is None
    assert store.get("signin:absent") is None
    store.set("signin:k", b"v", 1)
    assert store.get_and_touch("signin:k", 60) == b"v"
    time.sleep(1.1)
    assert store.get("signin:k") == b"v"


def test_get_many_reads_one_users_keys_at_once(store: ByteStore) -> None:
    keys = ["signin:{user:u}:sign-in", "signin:{user:u}:tokencache:app", "signin:{user:u}:x"]
    store.set(keys[0], b"generation", 60)
    store.set(keys[1], b"cache", 60)
    assert store.get_many(keys) == [b"generation", b"cache", None]
