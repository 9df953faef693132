"""Break the stack on purpose under steady load: a replica dies, auth-service and Redis restart."""

from __future__ import annotations

import time

from native_stack.stack import NativeStack
from tests.support.load import all_still_signed_in, run_load

MAX_FAILED_SHARE = 0.001


def test_killing_one_graph_service_replica_fails_at_most_a_thousandth(
    replicated_stack: NativeStack, signed_in_cookies: dict[str, str]
) -> None:
    victim = replicated_stack.processes["graph-service-2"]
    try:
        result = run_load(
            replicated_stack.public_url + "/graph/me",
            signed_in_cookies,
            seconds=6,
            during=victim.crash,
        )
    finally:
        replicated_stack.start_process("graph-service-2")
    print(f"\nreplica kill: {result.summary()}")
    assert result.total > 200
    assert result.failed <= MAX_FAILED_SHARE * result.total, result.summary()


def test_restarting_auth_service_signs_nobody_out(
    replicated_stack: NativeStack, signed_in_cookies: dict[str, str]
) -> None:
    def restart_each_auth_process() -> None:
        # A rolling restart as an orchestrator does it: the next process goes down as soon as
        # the one before answers its health check, not when nginx has noticed it is back.
        for name in replicated_stack.process_names("auth-service"):
            replicated_stack.start_process(name)  # stops the old process, starts a new one

    result = run_load(
        replicated_stack.public_url + "/graph/me",
        signed_in_cookies,
        seconds=8,
        during=restart_each_auth_process,
    )
    print(f"\nauth-service restart: {result.summary()}")
    assert result.statuses[401] == 0, result.summary()
    assert result.failed <= MAX_FAILED_SHARE * result.total, result.summary()
    still_signed_in = all_still_signed_in(replicated_stack.public_url, signed_in_cookies)
    assert set(still_signed_in.values()) == {200}


def test_a_replica_back_from_a_crash_serves_at_once_when_the_other_crashes(
    replicated_stack: NativeStack, signed_in_cookies: dict[str, str]
) -> None:
    """nginx must not go on shunning a replica that failed a moment ago: if it does, the
    other replica's crash leaves it with no replica it believes alive, and every sign-in
    check answers 500 until it looks again."""

    def crash_one_then_the_other() -> None:
        first, second = replicated_stack.process_names("auth-service")
        replicated_stack.processes[first].crash()
        time.sleep(0.3)  # requests meet the refused port meanwhile
        replicated_stack.start_process(first)
        replicated_stack.processes[second].crash()
        time.sleep(1.5)
        replicated_stack.start_process(second)

    result = run_load(
        replicated_stack.public_url + "/graph/me",
        signed_in_cookies,
        seconds=6,
        during=crash_one_then_the_other,
    )
    print(f"\nauth-service crashes: {result.summary()}")
    assert result.total > 200
    assert result.failed <= MAX_FAILED_SHARE * result.total, result.summary()


def test_restarting_redis_signs_nobody_out_and_answers_503_meanwhile(
    replicated_stack: NativeStack, signed_in_cookies: dict[str, str]
) -> None:
    def restart_redis() -> None:
        replicated_stack.stop_redis()
        time.sleep(1.5)
        replicated_stack.start_redis()

    result = run_load(
        replicated_stack.public_url + "/graph/me",
        signed_in_cookies,
        seconds=7,
        during=restart_redis,
    )
    print(f"\nRedis restart: {result.summary()}")
    assert set(result.statuses) <= {200, 503}, result.summary()
    assert result.statuses[503] > 0, "the outage was not seen"
    assert result.missing_retry_after == 0
    assert not result.errors, result.summary()
    still_signed_in = all_still_signed_in(replicated_stack.public_url, signed_in_cookies)
    assert set(still_signed_in.values()) == {200}
