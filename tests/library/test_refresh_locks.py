"""One contract suite for every RefreshLocks implementation."""

from __future__ import annotations

import threading
import time

import pytest
import redis

from signin_state.refresh_lock import MemoryRefreshLocks, RedisRefreshLocks, RefreshLocks


@pytest.fixture(params=["memory", "redis"])
def locks(request: pytest.FixtureRequest) -> RefreshLocks:
    if request.param == "memory":
        return MemoryRefreshLocks()
    client: redis.Redis = request.getfixturevalue("redis_client")
    return RedisRefreshLocks(client)


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


def test_redis_lock_expires_if_its_holder_dies(redis_client: redis.Redis) -> None:
    locks = RedisRefreshLocks(redis_client, lease_seconds=0.2)
    held = locks.hold("user-a", wait_seconds=0.1)
    assert held.__enter__()  # never released, as if the process died
    with locks.hold("user-a", wait_seconds=1.0) as taken:
        assert taken
