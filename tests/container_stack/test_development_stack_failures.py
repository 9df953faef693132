"""The compose stack broken on purpose: Redis restarted and stopped, a graph-service replica
killed under load. Each test leaves the stack as it found it."""

from __future__ import annotations

import time

from tests.container_stack.compose_project import docker, inspect
from tests.container_stack.conftest import GRAPH_REPLICAS, RunningStack
from tests.support.figures import Figures
from tests.support.load import all_still_signed_in, graph_me_as, run_load
from tests.support.sign_in import session_cookies_of

MAX_FAILED_SHARE = 0.001


def service_starts(stack: RunningStack) -> dict[str, str]:
    """When each auth-service and graph-service container last started."""
    project = stack.project
    ids = project.container_ids("auth-service") + project.container_ids("graph-service")
    return {container_id: inspect(container_id)["State"]["StartedAt"] for container_id in ids}


def test_restarting_redis_signs_nobody_out(dev_stack: RunningStack) -> None:
    cookies = session_cookies_of(dev_stack.public_url, dev_stack.registration.usernames[:2])
    assert set(all_still_signed_in(dev_stack.public_url, cookies).values()) == {200}
    dev_stack.project.compose("restart", "redis")
    dev_stack.project.wait_healthy("redis")
    assert set(all_still_signed_in(dev_stack.public_url, cookies).values()) == {200}


def test_redis_stopped_answers_503_then_recovers_without_a_service_restart(
    dev_stack: RunningStack,
) -> None:
    cookie = session_cookies_of(dev_stack.public_url, dev_stack.registration.usernames[:1])
    (only_cookie,) = cookie.values()
    starts = service_starts(dev_stack)
    dev_stack.project.compose("stop", "redis")
    try:
        while_down = [graph_me_as(dev_stack.public_url, only_cookie) for _ in range(3)]
        for answer in while_down:
            assert answer.status_code == 503, answer.text
            assert answer.headers.get("Retry-After"), answer.headers
    finally:
        dev_stack.project.compose("start", "redis")
    dev_stack.project.wait_healthy("redis")
    deadline = time.monotonic() + 20
    while (answer := graph_me_as(dev_stack.public_url, only_cookie)).status_code != 200:
        assert time.monotonic() < deadline, answer.text
        time.sleep(0.5)
    assert service_starts(dev_stack) == starts


def test_killing_a_graph_service_replica_under_load_fails_at_most_a_thousandth(
    dev_stack: RunningStack, figures: Figures
) -> None:
    project = dev_stack.project
    cookies = session_cookies_of(dev_stack.public_url, dev_stack.registration.usernames[:3])
    victim = project.container_ids("graph-service")[-1]
    try:
        result = run_load(
            dev_stack.public_url + "/graph/me",
            cookies,
            seconds=10,
            during=lambda: docker("kill", victim),
            start_after=3,
        )
    finally:
        docker("start", victim)
        project.wait_healthy("graph-service")
    figures.add(f"containers, graph-service replica killed under load: {result.summary()}")
    assert len(project.container_ids("graph-service")) == GRAPH_REPLICAS
    assert result.total > 200, result.summary()
    assert result.failed <= MAX_FAILED_SHARE * result.total, result.summary()
    assert set(all_still_signed_in(dev_stack.public_url, cookies).values()) == {200}
