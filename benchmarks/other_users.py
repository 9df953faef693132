"""Filling Redis with other signed-in users: copies of every key one user's sign-in wrote."""

from __future__ import annotations

import time
from dataclasses import dataclass

import redis

BATCH = 5000  # commands per pipeline round trip
TTL_MS = 3600 * 1000


@dataclass(frozen=True)
class UserKeys:
    """Every key one sign-in wrote (DUMPed), and the user's home account id in their names."""

    home_account_id: str
    dumps: dict[bytes, bytes]

    @classmethod
    def read(cls, client: redis.Redis, keys: set[bytes], home_account_id: str) -> UserKeys:
        """DUMP each of keys (an admin client: DUMP is not the services' to run)."""
        dumps = {}
        for key in sorted(keys):
            dumped = client.dump(key)
            assert isinstance(dumped, bytes), f"{key!r} vanished"
            dumps[key] = dumped
        return cls(home_account_id, dumps)


def other_user_key(key: bytes, home_account_id: str, index: int) -> bytes:
    """The name key would have for other user number index.

    A user's own keys name their home account id, which is replaced; the keys named by a keyed
    hash (the session, the identity platform session) get the index in front of the hash.
    """
    model = home_account_id.encode()
    other = f"other-{index:07d}.{home_account_id}".encode()
    if model in key:
        return key.replace(model, other)
    prefix, _, name = key.rpartition(b":")
    return prefix + b":" + f"other-{index:07d}-".encode() + name


def populate(client: redis.Redis, model: UserKeys, count: int) -> float:
    """RESTORE count copies of the model user's keys under other users' names, pipelined;
    return the seconds it took. Each copy expires in an hour, as a signed-in user's would."""
    started = time.monotonic()
    pipeline = client.pipeline(transaction=False)
    queued = 0
    for index in range(count):
        for key, dumped in model.dumps.items():
            pipeline.restore(other_user_key(key, model.home_account_id, index), TTL_MS, dumped)
            queued += 1
        if queued >= BATCH:
            pipeline.execute()
            queued = 0
    if queued:
        pipeline.execute()
    return time.monotonic() - started


def keep_only(client: redis.Redis, keys: set[bytes]) -> float:
    """Remove every other key: DUMP keys (with their time to live), FLUSHDB ASYNC, RESTORE
    them. Returns the seconds it took (an admin client: FLUSHDB is not the services' to run)."""
    started = time.monotonic()
    kept = [(key, client.dump(key), client.pttl(key)) for key in keys]
    client.flushdb(asynchronous=True)
    pipeline = client.pipeline(transaction=False)
    for key, dumped, ttl_ms in kept:
        if isinstance(dumped, bytes):  # None: it expired meanwhile
            pipeline.restore(key, max(int(ttl_ms), 0), dumped)  # -1 (no expiry) restores as 0
    pipeline.execute()
    return time.monotonic() - started


def key_kind(key: bytes) -> str:
    """What a key holds, from its name: `session`, `tokencache`, `sign-in`, ..."""
    name = key.decode()
    if "}:" in name:  # a user's own key: signin:{user:<id>}:<kind>[:<client id>]
        return name.partition("}:")[2].split(":")[0]
    return name.split(":")[1]  # signin:<kind>:<keyed hash>


def signin_keys(client: redis.Redis) -> set[bytes]:
    """Every key of the stack's namespace now in Redis (SCAN, never KEYS)."""
    return set(client.scan_iter(match="signin:*", count=10_000))


def bytes_of(client: redis.Redis, keys: set[bytes]) -> int:
    """The sum of MEMORY USAGE over keys (every sample of nested values counted)."""
    return sum(int(client.memory_usage(key, samples=0) or 0) for key in keys)
