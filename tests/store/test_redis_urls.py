"""Every REDIS_URL form the services understand, and the messages for those they don't."""

from __future__ import annotations

import pytest

from signin_core.store.redis_connection import connect_redis
from signin_core.store.redis_urls import parse_redis_url


@pytest.mark.parametrize(
    ("url", "topology", "tls", "addresses", "service_name", "db"),
    [
        ("redis://localhost:6379/0", "standalone", False, (("localhost", 6379),), None, 0),
        ("redis://redis", "standalone", False, (("redis", 6379),), None, 0),
        ("rediss://cache.example:6380/0", "standalone", True, (("cache.example", 6380),), None, 0),
        ("unix:///run/redis.sock?db=0", "standalone", False, (), None, 0),
        (
            "redis+sentinel://s1:26379,s2,[::1]:5000/mymaster/2",
            "sentinel",
            False,
            (("s1", 26379), ("s2", 26379), ("::1", 5000)),
            "mymaster",
            2,
        ),
        ("rediss+sentinel://s1/mymaster", "sentinel", True, (("s1", 26379),), "mymaster", 0),
        (
            "redis+cluster://n1:7000,n2:7001,n3",
            "cluster",
            False,
            (("n1", 7000), ("n2", 7001), ("n3", 6379)),
            None,
            0,
        ),
        ("rediss+cluster://n1:7000/0", "cluster", True, (("n1", 7000),), None, 0),
    ],
)
def test_url_forms(
    url: str,
    topology: str,
    tls: bool,
    addresses: tuple[tuple[str, int], ...],
    service_name: str | None,
    db: int,
) -> None:
    parsed = parse_redis_url(url)
    assert (parsed.topology, parsed.tls, parsed.addresses) == (topology, tls, addresses)
    assert (parsed.service_name, parsed.db) == (service_name, db)


def test_credentials_and_options_are_read_and_kept_out_of_repr() -> None:
    parsed = parse_redis_url(
        "rediss+sentinel://app:p%40ss@s1:26379/mymaster/0"
        "?ssl_ca_certs=/etc/redis/ca.crt&sentinel_password=sentinel-secret"
    )
    assert (parsed.username, parsed.password) == ("app", "p@ss")
    assert parsed.sentinel_password == "sentinel-secret"
    assert parsed.ca_file == "/etc/redis/ca.crt"
    assert "p@ss" not in repr(parsed) and "sentinel-secret" not in repr(parsed)


@pytest.mark.parametrize(
    ("url", "username", "password"),
    [
        ("redis://signin:p%40ss@redis:6379/0", "signin", "p@ss"),
        ("rediss://:access-key@cache.example:6380/0", None, "access-key"),
        ("redis://signin@redis:6379/0", "signin", None),
        ("redis://redis:6379/0", None, None),
    ],
)
def test_one_server_urls_credentials_are_read_and_kept_out_of_repr(
    url: str, username: str | None, password: str | None
) -> None:
    parsed = parse_redis_url(url)
    assert (parsed.username, parsed.password) == (username, password)
    assert parsed.addresses[0][0] in {"redis", "cache.example"}
    assert password is None or password not in repr(parsed)


def test_ca_file_in_a_rediss_url_is_read() -> None:
    assert parse_redis_url("rediss://h:1/0?ssl_ca_certs=/ca.pem").ca_file == "/ca.pem"


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://localhost", "REDIS_URL must start with"),
        ("localhost:6379", "REDIS_URL must start with"),
        ("", "REDIS_URL must start with"),
        ("redis+sentinel://s1:26379", "/<service-name>"),
        ("redis+sentinel://s1:26379/m/0/extra", "/<service-name>"),
        ("redis+sentinel://s1:26379/m/zero", "not a database number"),
        ("redis+cluster://n1:7000/3", "only database 0"),
        ("redis+cluster://n1:port", "not a port"),
        ("redis+cluster://n1:70000", "not a port"),
        ("redis+cluster://:7000", "needs a host"),
        ("redis+cluster://n1?db=3", "unknown option"),
        ("redis://h:port/0", "port is not a number"),
    ],
)
def test_malformed_urls_are_refused_with_a_reason(url: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_redis_url(url)
    with pytest.raises(ValueError, match=message):
        connect_redis(url)
