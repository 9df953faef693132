"""The whole stack signs in and calls Graph with its Redis on TLS, behind Sentinel, or a Cluster."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from native_stack.stack import NativeStack, StackOptions
from signin_core.store.redis_connection import RedisConnection
from tests.store.conftest import RedisDeployments, empty_redis
from tests.support.browser import Browser
from tests.support.sign_in import sign_in_through


@pytest.fixture(params=["tls", "sentinel", "cluster"])
def stack_and_redis(
    request: pytest.FixtureRequest,
    redis_deployments: RedisDeployments,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[NativeStack, RedisConnection]]:
    """A small stack whose services use the deployment of one topology as their Redis."""
    deployment = redis_deployments.get(request.param)
    service_env = {"REDIS_URL": deployment.url}
    if deployment.ca_file is not None:
        service_env["REDIS_CA_FILE"] = str(deployment.ca_file)
    stack = NativeStack(
        StackOptions(
            run_dir=tmp_path_factory.mktemp(f"stack-on-{request.param}"),
            auth_workers=1,
            graph_workers=1,
            service_env=service_env,
        )
    )
    with empty_redis(redis_deployments, request.param) as connection, stack:
        yield stack, connection


def test_sign_in_and_graph_calls_on_each_topology(
    stack_and_redis: tuple[NativeStack, RedisConnection], browser: Browser
) -> None:
    stack, connection = stack_and_redis
    assert stack.registration is not None
    username = stack.registration.usernames[0]

    sign_in_through(browser, stack.public_url, username)
    me = browser.get(stack.public_url + "/graph/me")
    assert me.status_code == 200, me.text
    assert me.json()["userPrincipalName"].lower() == username.lower()

    keys = [key.decode() for key in connection.client().scan_iter(match="signin:*")]
    assert any(key.startswith("signin:session:") for key in keys)
    assert any(":tokencache:" in key for key in keys)
