"""One contract suite for every RefreshLocks implementation and Redis topology."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from collections.abc import Iterator

import pytest
from redis.cluster import RedisCluster

from signin_core.store.keys import token_cache_key
from signin_core.store.redis_connection import RedisConnection
from signin_core.tokens.refresh_lock import (
    MemoryRefreshLocks,
    RedisRefreshLocks,
    RefreshLocks,
    refresh_lock_key,
)
from tests.store.conftest import REDIS_TOPOLOGIES, RedisDeployments, empty_redis


@pytest.fixture(params=["memory", *REDIS_TOPOLOGIES])
def locks(
    request: pytest.FixtureRequest, redis_deployments: RedisDeployments
) -> Iterator[RefreshLocks]:
    if request.param == "memory":
        yield MemoryRefreshLocks()
        return
    with empty_redis(redis_deployments, request.param) as connection:
        yield RedisRefreshLocks(connection)


def test_lock_is_taken_and_released(locks: RefreshLocks) -> None:
    with locks.hold("user-a", wait_seconds=0.1) as taken:
        assert taken
    with locks.hold("user-a", wait_seconds=0.1) as taken_again:
        assert taken_again


def test_second_holder_waits_then_gives_up(locks: RefreshLocks) -> None:
    with locks.hold("user-a", wait_seconds=0.1) as first:
        assert first
        started = time.monotonic()
        with locks.hold("user-a", wait_seconds=0.3) as second:
            assert not second
        assert time.monotonic() - started >= 0.29


def test_users_do_not_block_each_other(locks: RefreshLocks) -> None:
    with (
        locks.hold("user-a", wait_seconds=0.1) as first,
        locks.hold("user-b", wait_seconds=0.1) as second,
    ):
        assert first and second


def test_only_one_of_many_threads_holds_at_a_time(locks: RefreshLocks) -> None:
    inside = 0
    most_inside = 0
    guard = threading.Lock()

    def worker() -> None:
        nonlocal inside, most_inside
        with locks.hold("user-a", wait_seconds=5) as taken:
            assert taken
            with guard:
                inside += 1
                most_inside = max(most_inside, inside)
            time.sleep(0.01)
            with guard:
                inside -= 1

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert most_inside == 1


# Another process holding user-a's lock (lease 0.5 s, renewed while it lives) until killed.
HOLDER_PROCESS = """
import sys, time
from signin_core.store.redis_connection import connect_redis
from signin_core.tokens.refresh_lock import RedisRefreshLocks
connection = connect_redis(sys.argv[1], ca_file=sys.argv[2] or None)
with RedisRefreshLocks(connection, lease_seconds=0.5).hold("user-a", wait_seconds=5) as taken:
    print("held" if taken else "not taken", flush=True)
    time.sleep(120)
"""


@pytest.mark.parametrize("topology", REDIS_TOPOLOGIES)
def test_redis_lock_outlives_its_lease_while_its_holder_lives_and_expires_when_it_dies(
    redis_deployments: RedisDeployments, topology: str
) -> None:
    deployment = redis_deployments.get(topology)
    with empty_redis(redis_deployments, topology) as connection:
        argv = [sys.executable, "-c", HOLDER_PROCESS, deployment.url, str(deployment.ca_file or "")]
        holder = subprocess.Popen(argv, stdout=subprocess.PIPE, text=True)
        try:
            assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
            locks = RedisRefreshLocks(connection)
            time.sleep(1.5)  # three of the holder's leases
            with locks.hold("user-a", wait_seconds=0) as taken_while_it_lives:
                assert not taken_while_it_lives
        finally:
            holder.kill()  # it dies holding the lock: its lease runs out
            holder.wait(timeout=10)
            if holder.stdout is not None:
                holder.stdout.close()
        with locks.hold("user-a", wait_seconds=5) as taken:
            assert taken


def test_redis_lock_is_released_only_by_its_owner(redis_connection: RedisConnection) -> None:
    locks = RedisRefreshLocks(redis_connection, lease_seconds=0.3)
    client = redis_connection.client()
    with locks.hold("user-a", wait_seconds=0.1) as taken:
        assert taken
        time.sleep(0.4)  # our lease ran out; another process takes the lock
        client.set(refresh_lock_key("user-a"), b"someone-else", px=5000)
    assert client.get(refresh_lock_key("user-a")) == b"someone-else"


def test_a_users_lock_and_token_cache_share_one_cluster_slot(
    redis_deployments: RedisDeployments,
) -> None:
    with empty_redis(redis_deployments, "cluster") as connection:
        client = connection.client()
        assert isinstance(client, RedisCluster)
        for home_account_id in ("0c8a7d1e-2f3b.5f1e8c2a-3d4b", "a.b", "x" * 80):
            cache_slot = client.keyslot(token_cache_key("client-id", home_account_id))
            assert client.keyslot(refresh_lock_key(home_account_id)) == cache_slot
