"""Real Redis deployments (one server, TLS, Sentinel, Cluster) and a stack for storage tests."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
import redis
import requests
from redis.cluster import RedisCluster

from native_stack.edge import LIFTED_SIGN_IN_LIMITS
from native_stack.stack import NativeStack, StackOptions
from signin_core.store.redis_connection import RedisConnection, connect_redis
from tests.support.redis_topologies import (
    RedisDeployment,
    start_redis_cluster,
    start_sentinel_redis,
    start_standalone_redis,
    start_tls_redis,
)

REDIS_TOPOLOGIES = ("standalone", "tls", "sentinel", "cluster")
STARTERS: dict[str, Callable[[Path], RedisDeployment]] = {
    "standalone": start_standalone_redis,
    "tls": start_tls_redis,
    "sentinel": start_sentinel_redis,
    "cluster": start_redis_cluster,
}
# MSAL treats an access token expiring within 300 s as expired: a 306 s token is usable for
# 6 s after it is issued and then needs a refresh, so tests reach staleness quickly.
ACCESS_TOKEN_LIFETIME_SECONDS = 306


class RedisDeployments:
    """Starts each topology the first time a test asks for it; stops them all at the end."""

    def __init__(self, run_dir: Path) -> None:
        self._run_dir = run_dir
        self._running: dict[str, RedisDeployment] = {}

    def get(self, topology: str) -> RedisDeployment:
        """The running deployment of topology, started now if needed."""
        if topology not in self._running:
            self._running[topology] = STARTERS[topology](self._run_dir / topology)
        return self._running[topology]

    def stop_all(self) -> None:
        """Stop every deployment started."""
        for deployment in self._running.values():
            deployment.stop()


@pytest.fixture(scope="session")
def redis_deployments(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisDeployments]:
    """Real Redis deployments of every topology, started on demand."""
    deployments = RedisDeployments(tmp_path_factory.mktemp("redis-deployments"))
    yield deployments
    deployments.stop_all()


def flush_everything(connection: RedisConnection) -> None:
    """Empty every database of the deployment (every master of a Cluster)."""
    client = connection.client()
    if isinstance(client, RedisCluster):
        client.flushall(target_nodes=RedisCluster.PRIMARIES)
    else:
        client.flushall()


@contextmanager
def empty_redis(deployments: RedisDeployments, topology: str) -> Iterator[RedisConnection]:
    """A connection to an emptied deployment of topology, closed afterwards."""
    deployment = deployments.get(topology)
    ca_file = str(deployment.ca_file) if deployment.ca_file else None
    connection = connect_redis(deployment.url, ca_file=ca_file)
    flush_everything(connection)
    try:
        yield connection
    finally:
        connection.close()


@pytest.fixture(params=REDIS_TOPOLOGIES)
def redis_connection(
    request: pytest.FixtureRequest, redis_deployments: RedisDeployments
) -> Iterator[RedisConnection]:
    """A connection to an emptied Redis of each topology in turn."""
    with empty_redis(redis_deployments, request.param) as connection:
        yield connection


@pytest.fixture
def standalone_connection(redis_deployments: RedisDeployments) -> Iterator[RedisConnection]:
    """A connection to the emptied standalone redis-server."""
    with empty_redis(redis_deployments, "standalone") as connection:
        yield connection


@pytest.fixture(scope="session")
def storage_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[NativeStack]:
    """The stack with two graph-service processes, an append-only Redis and short tokens."""
    running = NativeStack(
        StackOptions(
            run_dir=tmp_path_factory.mktemp("storage-stack"),
            graph_service_processes=2,
            redis_appendonly=True,
            nginx_env=dict(LIFTED_SIGN_IN_LIMITS),  # its tests sign in often, from 127.0.0.1
            emulator_env={"EMULATOR_ACCESS_TOKEN_LIFETIME": str(ACCESS_TOKEN_LIFETIME_SECONDS)},
        )
    )
    running.start()
    yield running
    running.stop()


@pytest.fixture
def storage_redis(storage_stack: NativeStack) -> Iterator[redis.Redis]:
    """A client of the storage stack's redis-server as the tests' admin (any command, any key)."""
    client = storage_stack.redis_client(admin=True)
    yield client
    client.close()


@dataclass(frozen=True)
class DirectoryUser:
    """A user added to the emulator's directory for one test."""

    username: str
    display_name: str


NewUser = Callable[[], DirectoryUser]
_user_numbers = itertools.count(1)


@pytest.fixture
def new_user(storage_stack: NativeStack) -> Iterator[NewUser]:
    """Adds a fresh user to the storage stack's emulator, so tests never share users."""
    with requests.Session() as http:
        http.trust_env = False
        http.verify = str(storage_stack.ca_file)

        def add() -> DirectoryUser:
            number = next(_user_numbers)
            user = DirectoryUser(f"store.user{number}@contoso.example", f"Store User{number}")
            answer = http.post(
                storage_stack.emulator_url + "/_control/users",
                json={"userPrincipalName": user.username, "displayName": user.display_name},
                timeout=10,
            )
            assert answer.status_code == 201, answer.text
            return user

        yield add
