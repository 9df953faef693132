"""Stores that move bytes by key with an expiry, and nothing else."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Protocol

from signin_core.errors import StoreUnavailableError
from signin_core.store.redis_connection import REDIS_FAILURES, RedisConnection, store_error


class ByteStore(Protocol):
    """A key/value store of bytes with per-key expiry."""

    def get(self, key: str) -> bytes | None:
        """Return the value stored at key, or None."""
        ...

    def set(self, key: str, value: bytes, ttl_seconds: int) -> None:
        """Store value at key; it disappears after ttl_seconds."""
        ...

    def add(self, key: str, value: bytes, ttl_seconds: int) -> bool:
        """Store value at key only if key is absent; return whether it was stored."""
        ...

    def get_and_touch(self, key: str, ttl_seconds: int) -> bytes | None:
        """Return the value at key and, if present, make it live ttl_seconds from now."""
        ...

    def get_many(self, keys: list[str]) -> list[bytes | None]:
        """Return the values at keys, in one round trip (keys of one user share a slot)."""
        ...

    def delete(self, key: str) -> None:
        """Remove key if present."""
        ...

    def ping(self) -> bool:
        """Return True if the store answers."""
        ...


class MemoryByteStore:
    """A process-local ByteStore for tests and single-process tools."""

    def __init__(self) -> None:
        self._items: dict[str, tuple[bytes, float]] = {}
        self._lock = threading.Lock()

    def get(self, key: str) -> bytes | None:
        """Return the value stored at key, or None if absent or expired."""
        with self._lock:
            item = self._items.get(key)
            if item is None:
                return None
            value, expires_at = item
            if expires_at <= time.monotonic():
                del self._items[key]
                return None
            return value

    def set(self, key: str, value: bytes, ttl_seconds: int) -> None:
        """Store value at key for ttl_seconds."""
        if ttl_seconds <= 0:
            raise ValueError("ttl_seconds must be positive")
        with self._lock:
            self._items[key] = (bytes(value), time.monotonic() + ttl_seconds)

    def add(self, key: str, value: bytes, ttl_seconds: int) -> bool:
        """Store value at key for ttl_seconds unless key holds a live value."""
        if ttl_seconds <= 0:
            raise ValueError("ttl_seconds must be positive")
        with self._lock:
            if self._live(key) is not None:
                return False
            self._items[key] = (bytes(value), time.monotonic() + ttl_seconds)
            return True

    def get_and_touch(self, key: str, ttl_seconds: int) -> bytes | None:
        """Return the value at key, now living ttl_seconds more."""
        with self._lock:
            value = self._live(key)
            if value is not None:
                self._items[key] = (value, time.monotonic() + ttl_seconds)
            return value

    def get_many(self, keys: list[str]) -> list[bytes | None]:
        """Return the values at keys."""
        return [self.get(key) for key in keys]

    def delete(self, key: str) -> None:
        """Remove key if present."""
        with self._lock:
            self._items.pop(key, None)

    def _live(self, key: str) -> bytes | None:
        item = self._items.get(key)
        if item is None or item[1] <= time.monotonic():
            return None
        return item[0]

    def ping(self) -> bool:
        """A memory store always answers."""
        return True


class RedisByteStore:
    """A ByteStore on any Redis topology; Redis failures become StoreUnavailableError, and a
    write Redis refuses for lack of memory StoreFullError."""

    def __init__(self, connection: RedisConnection) -> None:
        self._connection = connection

    def get(self, key: str) -> bytes | None:
        """Return the value stored at key, or None."""
        with _translated_failures():
            value = self._connection.client().get(key)
        return value if isinstance(value, bytes) else None

    def set(self, key: str, value: bytes, ttl_seconds: int) -> None:
        """Store value at key for ttl_seconds."""
        if ttl_seconds <= 0:
            raise ValueError("ttl_seconds must be positive")
        with _translated_failures():
            self._connection.client().set(key, value, ex=ttl_seconds)

    def add(self, key: str, value: bytes, ttl_seconds: int) -> bool:
        """SET NX: store value at key for ttl_seconds unless key exists."""
        if ttl_seconds <= 0:
            raise ValueError("ttl_seconds must be positive")
        with _translated_failures():
            return bool(self._connection.client().set(key, value, ex=ttl_seconds, nx=True))

    def get_and_touch(self, key: str, ttl_seconds: int) -> bytes | None:
        """GETEX: the value at key, its expiry moved to ttl_seconds from now (Redis 6.2+)."""
        with _translated_failures():
            value = self._connection.client().getex(key, ex=ttl_seconds)
        return value if isinstance(value, bytes) else None

    def get_many(self, keys: list[str]) -> list[bytes | None]:
        """MGET: the values at keys; on a Cluster the keys must share a hash slot."""
        with _translated_failures():
            values = self._connection.client().mget(keys)
        return [value if isinstance(value, bytes) else None for value in values]

    def delete(self, key: str) -> None:
        """Remove key if present."""
        with _translated_failures():
            self._connection.client().delete(key)

    def ping(self) -> bool:
        """Return True if Redis answers PING (a Cluster: its default node)."""
        try:
            return bool(self._connection.client().ping())
        except REDIS_FAILURES:
            return False
        except StoreUnavailableError:
            return False


@contextmanager
def _translated_failures() -> Iterator[None]:
    """Redis failures as the services' errors: StoreFullError or StoreUnavailableError."""
    try:
        yield
    except REDIS_FAILURES as error:
        raise store_error(error) from error
