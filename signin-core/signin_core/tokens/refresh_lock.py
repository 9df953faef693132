"""Per-user locks around token refresh, so two processes never spend one refresh token twice."""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Protocol

from signin_core.errors import StoreUnavailableError
from signin_core.store.keys import NAMESPACE
from signin_core.store.redis_connection import REDIS_FAILURES, RedisConnection

RELEASE_IF_OWNER = """
if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end
return 0
"""


def refresh_lock_key(home_account_id: str) -> str:
    """Key of a user's refresh lock; it shares the user's Cluster hash tag."""
    return f"{NAMESPACE}:{{user:{home_account_id}}}:refresh-lock"


class RefreshLocks(Protocol):
    """Mutual exclusion per user across processes, with a bounded wait."""

    def hold(self, home_account_id: str, *, wait_seconds: float) -> AbstractContextManager[bool]:
        """Context manager yielding True if the lock was taken within wait_seconds."""
        ...


class RedisRefreshLocks:
    """Locks as Redis keys set with NX and an expiry, released only by their owner.

    The release is a Lua script on the lock's one key, so it also runs on a Redis Cluster.
    """

    def __init__(self, connection: RedisConnection, *, lease_seconds: float = 15.0) -> None:
        self._connection = connection
        self._lease_ms = int(lease_seconds * 1000)

    @contextmanager
    def hold(self, home_account_id: str, *, wait_seconds: float) -> Iterator[bool]:
        """Try to take the user's lock for up to wait_seconds; release it on exit."""
        key = refresh_lock_key(home_account_id)
        token = secrets.token_hex(16)
        taken = False
        deadline = time.monotonic() + wait_seconds
        try:
            client = self._connection.client()
            while True:
                taken = bool(client.set(key, token, nx=True, px=self._lease_ms))
                if taken or time.monotonic() >= deadline:
                    break
                time.sleep(0.02)
        except REDIS_FAILURES as error:
            raise StoreUnavailableError(str(error)) from error
        try:
            yield taken
        finally:
            if taken:
                try:
                    client.register_script(RELEASE_IF_OWNER)(keys=[key], args=[token])
                except REDIS_FAILURES:
                    pass  # the lease expires by itself


class MemoryRefreshLocks:
    """Process-local locks with the same contract, for tests and single-process tools."""

    def __init__(self) -> None:
        self._locks: dict[str, threading.Lock] = {}
        self._guard = threading.Lock()

    @contextmanager
    def hold(self, home_account_id: str, *, wait_seconds: float) -> Iterator[bool]:
        """Try to take the user's lock for up to wait_seconds; release it on exit."""
        with self._guard:
            lock = self._locks.setdefault(home_account_id, threading.Lock())
        taken = lock.acquire(timeout=wait_seconds)
        try:
            yield taken
        finally:
            if taken:
                lock.release()
