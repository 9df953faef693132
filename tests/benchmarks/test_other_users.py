"""Filling a real Redis with other users' copies of one user's keys (benchmarks/other_users)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

from benchmarks.other_users import (
    UserKeys,
    bytes_of,
    keep_only,
    key_kind,
    other_user_key,
    populate,
    signin_keys,
)
from native_stack.ports import free_port
from native_stack.redis_server import start_redis_server

HOME = "0a1b.5f1e"
MODEL_KEYS = {
    f"signin:{{user:{HOME}}}:tokencache:client".encode(): b"sealed cache",
    f"signin:{{user:{HOME}}}:sign-in".encode(): b"sign-in",
    b"signin:session:keyedhash": b"sealed session",
}


@pytest.fixture
def client(tmp_path: Path) -> Iterator[redis.Redis]:
    port = free_port()
    server = start_redis_server(tmp_path, port, appendonly=False, log_path=tmp_path / "r.log")
    connection = redis.Redis(port=port)
    yield connection
    connection.close()
    server.stop()


def test_other_user_keys_are_distinct_and_keep_their_kind() -> None:
    names = {other_user_key(key, HOME, index) for key in MODEL_KEYS for index in range(3)}
    assert len(names) == 9
    assert other_user_key(b"signin:session:keyedhash", HOME, 7) == (
        b"signin:session:other-0000007-keyedhash"
    )
    cache = other_user_key(next(iter(MODEL_KEYS)), HOME, 7)
    assert cache.startswith(b"signin:{user:other-0000007.") and cache.endswith(
        b":tokencache:client"
    )


def test_populate_copies_every_key_of_the_model_user_with_an_expiry(client: redis.Redis) -> None:
    for key, value in MODEL_KEYS.items():
        client.set(key, value)
    client.hset(f"signin:{{user:{HOME}}}:sessions".encode(), "s1", "device")
    model = UserKeys.read(client, signin_keys(client), HOME)
    assert len(model.dumps) == 4

    seconds = populate(client, model, 2_001)

    assert seconds > 0 and client.dbsize() == 4 * 2_002
    copy = other_user_key(f"signin:{{user:{HOME}}}:sessions".encode(), HOME, 2_000)
    assert client.hget(copy, "s1") == b"device" and 0 < client.ttl(copy) <= 3600
    assert client.get(other_user_key(b"signin:session:keyedhash", HOME, 5)) == b"sealed session"
    assert bytes_of(client, set(model.dumps)) > sum(len(v) for v in MODEL_KEYS.values())


def test_key_kind_names_what_a_key_holds() -> None:
    kinds = [key_kind(key) for key in MODEL_KEYS]
    assert kinds == ["tokencache", "sign-in", "session"]
    assert key_kind(b"signin:identity-session:abc") == "identity-session"


def test_keep_only_removes_every_other_key_and_keeps_expiries(client: redis.Redis) -> None:
    client.set(b"signin:session:kept", b"session", ex=600)
    client.set(b"signin:forever", b"no expiry")
    client.set(b"signin:session:other", b"gone")
    keep_only(client, {b"signin:session:kept", b"signin:forever"})
    assert sorted(client.scan_iter()) == [b"signin:forever", b"signin:session:kept"]
    assert 590 < client.ttl(b"signin:session:kept") <= 600 and client.ttl(b"signin:forever") == -1
