"""One connection factory for every Redis topology REDIS_URL can name."""

from __future__ import annotations

import dataclasses
import threading
from typing import Any, TypeAlias

import redis
from redis.backoff import ExponentialWithJitterBackoff
from redis.cluster import ClusterNode, RedisCluster
from redis.exceptions import RedisClusterException
from redis.retry import Retry
from redis.sentinel import Sentinel

from signin_core.errors import StoreFullError, StoreUnavailableError
from signin_core.store.redis_urls import RedisUrl, parse_redis_url

RedisClient: TypeAlias = "redis.Redis | RedisCluster"
# A Cluster client raises RedisClusterException (not a RedisError) when no node answers.
REDIS_FAILURES: tuple[type[Exception], ...] = (redis.RedisError, RedisClusterException)
HEALTH_CHECK_INTERVAL_SECONDS = 30

# One quick retry replaces a connection Redis closed (a restart, an idle timeout); more would
# only delay the 503 a request gets while Redis is down.
RETRIES = 1


def store_error(error: Exception) -> StoreUnavailableError:
    """What a Redis failure means to the services: StoreFullError when Redis refused a write
    because it is at maxmemory (`OOM command not allowed`), else StoreUnavailableError."""
    if isinstance(error, redis.OutOfMemoryError):
        return StoreFullError(str(error))
    return StoreUnavailableError(str(error))


class RedisConnection:
    """The Redis deployment a URL names; its client is built on first use, never at start."""

    def __init__(
        self,
        url: str,
        *,
        timeout_seconds: float = 2.0,
        ca_file: str | None = None,
        password: str | None = None,
    ) -> None:
        target = parse_redis_url(url)
        if password is not None:
            if target.password is not None:
                raise ValueError("REDIS_URL carries a password and another one was given")
            target = dataclasses.replace(target, password=password)
        self.target = target
        self._timeout = timeout_seconds
        self._ca_file = self.target.ca_file or ca_file
        self._client: RedisClient | None = None
        self._building = threading.Lock()

    def client(self) -> RedisClient:
        """Return the client, built now if needed; StoreUnavailableError if Redis is down."""
        client = self._client
        if client is not None:
            return client
        with self._building:
            if self._client is None:
                try:
                    self._client = self._build()
                except REDIS_FAILURES as error:
                    raise StoreUnavailableError(str(error)) from error
            return self._client

    def close(self) -> None:
        """Close the client's connections, if it was built."""
        with self._building:
            client, self._client = self._client, None
        if client is not None:
            client.close()

    def _connection_options(self) -> dict[str, Any]:
        options: dict[str, Any] = {
            "socket_timeout": self._timeout,
            "socket_connect_timeout": self._timeout,
            "retry": Retry(ExponentialWithJitterBackoff(base=0.01, cap=0.1), RETRIES),
        }
        if self.target.tls and self._ca_file:
            options["ssl_ca_certs"] = self._ca_file
        return options

    def _build(self) -> RedisClient:
        target = self.target
        options = self._connection_options()
        if target.topology == "cluster":
            return _cluster_client(target, options)
        if target.topology == "sentinel":
            return _sentinel_master_client(target, options)
        if target.password is not None:
            options["password"] = target.password  # a URL's own password is the same one
        return redis.Redis.from_url(
            target.url, health_check_interval=HEALTH_CHECK_INTERVAL_SECONDS, **options
        )


def _cluster_client(target: RedisUrl, options: dict[str, Any]) -> RedisCluster:
    return RedisCluster(
        startup_nodes=[
            ClusterNode(host, port)  # type: ignore[no-untyped-call]
            for host, port in target.addresses
        ],
        username=target.username,
        password=target.password,
        ssl=target.tls,
        **options,
    )


def _sentinel_master_client(target: RedisUrl, options: dict[str, Any]) -> redis.Redis:
    tls_options = {"ssl": True, **options} if target.tls else dict(options)
    sentinel_options = dict(tls_options)
    if target.sentinel_password:
        sentinel_options["password"] = target.sentinel_password
    sentinel = Sentinel(  # type: ignore[no-untyped-call]
        list(target.addresses), sentinel_kwargs=sentinel_options, **tls_options
    )
    assert target.service_name is not None
    master: redis.Redis = sentinel.master_for(  # type: ignore[no-untyped-call]
        target.service_name,
        db=target.db,
        username=target.username,
        password=target.password,
        health_check_interval=HEALTH_CHECK_INTERVAL_SECONDS,
    )
    return master


def connect_redis(
    url: str,
    *,
    timeout_seconds: float = 2.0,
    ca_file: str | None = None,
    password: str | None = None,
) -> RedisConnection:
    """Return a connection to the Redis named by url (with password, when the URL has none);
    nothing connects until first used."""
    return RedisConnection(url, timeout_seconds=timeout_seconds, ca_file=ca_file, password=password)
