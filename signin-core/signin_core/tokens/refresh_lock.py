"""Per-user locks around token refresh, so two processes never spend one refresh token twice.

A lock is held for as long as its holder's block runs, however long the identity platform
takes to answer: the Redis lock's lease is renewed meanwhile, and lapses by itself only if
its holder dies (or cannot reach Redis for a whole lease).
"""

from __future__ import annotations

import logging
import secrets
import threading
import time
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Protocol

from redis.exceptions import LockNotOwnedError
from redis.lock import Lock

from signin_core.errors import StoreUnavailableError
from signin_core.store.keys import NAMESPACE
from signin_core.store.redis_connection import REDIS_FAILURES, RedisConnection

log = logging.getLogger(__name__)

DEFAULT_LEASE_SECONDS = 15.0
POLL_SECONDS = 0.05  # how often a waiter tries the lock again


def refresh_lock_key(home_account_id: str) -> str:
    """Key of a user's refresh lock; it shares the user's Cluster hash tag."""
    return f"{NAMESPACE}:{{user:{home_account_id}}}:refresh-lock"


class RefreshLocks(Protocol):
    """Mutual exclusion per user across processes, with a bounded wait.

    A lock taken is held until the block ends, however long it runs; a False means the lock
    is not held and the block must not write the user's token cache.
    """

    def hold(self, home_account_id: str, *, wait_seconds: float) -> AbstractContextManager[bool]:
        """Context manager yielding True if the lock was taken within wait_seconds."""
        ...


class LeaseRenewer:
    """Resets a held lock's lease to its full length every `every` seconds until stopped.

    A thread of its own, which under gunicorn's gevent worker (threading monkey-patched) is
    a greenlet: it runs whenever the holder waits on the network, as a refresh does.
    """

    def __init__(self, lock: Lock, *, every: float) -> None:
        self._lock = lock
        self._every = every
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._run, name="refresh-lock-renewer", daemon=True)

    def start(self) -> None:
        """Start renewing."""
        self._thread.start()

    def stop(self) -> None:
        """Stop renewing and wait for the renewer to finish."""
        self._stopped.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stopped.wait(self._every):
            try:
                self._lock.reacquire()
            except LockNotOwnedError:
                log.warning("refresh lock lost: its lease ran out before it was renewed")
                return
            except Exception as error:  # Redis unreachable, say: try again while still held
                log.warning("refresh lock not renewed: %s", type(error).__name__)


class RedisRefreshLocks:
    """redis-py Locks, one key per user, released only by their owner and renewed while held.

    Taking, renewing and releasing each touch the lock's one key (a SET NX PX and Lua
    scripts), so they also run on a Redis Cluster.
    """

    def __init__(
        self,
        connection: RedisConnection,
        *,
        lease_seconds: float = DEFAULT_LEASE_SECONDS,
        renew_every_seconds: float | None = None,
    ) -> None:
        self._connection = connection
        self._lease = lease_seconds
        self._renew_every = renew_every_seconds or lease_seconds / 3

    @contextmanager
    def hold(self, home_account_id: str, *, wait_seconds: float) -> Iterator[bool]:
        """Try to take the user's lock for up to wait_seconds; hold it, renewed, until exit."""
        try:
            lock = self._connection.client().lock(
                refresh_lock_key(home_account_id),
                timeout=self._lease,
                thread_local=False,  # the renewer is another thread (or greenlet)
            )
            taken = _take_within(lock, wait_seconds)
        except REDIS_FAILURES as error:
            raise StoreUnavailableError(str(error)) from error
        if not taken:
            yield False
            return
        renewer = LeaseRenewer(lock, every=self._renew_every)
        renewer.start()
        try:
            yield True
        finally:
            renewer.stop()
            try:
                lock.release()
            except LockNotOwnedError:
                log.warning("refresh lock had lapsed before it was released")
            except REDIS_FAILURES:
                pass  # the lease expires by itself


def _take_within(lock: Lock, wait_seconds: float) -> bool:
    """Try lock until it is taken or wait_seconds have passed (the whole wait, to the end)."""
    token = secrets.token_hex(16)
    deadline = time.monotonic() + wait_seconds
    while not lock.acquire(blocking=False, token=token):
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return False
        time.sleep(min(POLL_SECONDS, remaining))
    return True


class MemoryRefreshLocks:
    """Process-local locks with the same contract, for tests and single-process tools.

    They have no lease: a lock taken is held until its block ends.
    """

    def __init__(self) -> None:
        self._locks: dict[str, threading.Lock] = {}
        self._guard = threading.Lock()

    @contextmanager
    def hold(self, home_account_id: str, *, wait_seconds: float) -> Iterator[bool]:
        """Try to take the user's lock for up to wait_seconds; release it on exit."""
        with self._guard:
            lock = self._locks.setdefault(home_account_id, threading.Lock())
        taken = lock.acquire(timeout=max(0.0, wait_seconds))
        try:
            yield taken
        finally:
            if taken:
                lock.release()
