"""Reading REDIS_URL: one server, a master watched by Sentinel, or a Redis Cluster.

    redis://[[user]:password@]host[:port][/db]          one server (rediss:// for TLS)
    unix:///path/to/redis.sock[?db=0]                    one server on a Unix socket
    redis+sentinel://[[user]:password@]host[:port][,host[:port]...]/service-name[/db]
    redis+cluster://[[user]:password@]host[:port][,host[:port]...]

`rediss+sentinel://` and `rediss+cluster://` use TLS for every connection. Any form takes
`?ssl_ca_certs=/path/ca.crt` (the CA that signed the servers' certificates); the Sentinel
forms also take `?sentinel_password=` when the sentinels themselves require a password.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal
from urllib.parse import parse_qs, unquote, urlsplit

Topology = Literal["standalone", "sentinel", "cluster"]

SCHEMES: dict[str, tuple[Topology, bool]] = {
    "redis": ("standalone", False),
    "rediss": ("standalone", True),
    "unix": ("standalone", False),
    "redis+sentinel": ("sentinel", False),
    "rediss+sentinel": ("sentinel", True),
    "redis+cluster": ("cluster", False),
    "rediss+cluster": ("cluster", True),
}
DEFAULT_PORTS: dict[Topology, int] = {"standalone": 6379, "sentinel": 26379, "cluster": 6379}
MULTI_HOST_QUERY_NAMES = {"ssl_ca_certs", "sentinel_password"}


@dataclass(frozen=True)
class RedisUrl:
    """What a REDIS_URL names: the topology, its seed addresses and how to authenticate."""

    url: str = field(repr=False)
    topology: Topology
    tls: bool
    addresses: tuple[tuple[str, int], ...]
    service_name: str | None = None
    db: int = 0
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    sentinel_password: str | None = field(default=None, repr=False)
    ca_file: str | None = None


def parse_redis_url(url: str) -> RedisUrl:
    """Return what url names, or raise ValueError saying which forms are understood."""
    scheme, separator, _ = url.partition("://")
    if not separator or scheme.lower() not in SCHEMES:
        raise ValueError(
            "REDIS_URL must start with redis://, rediss://, unix://, redis+sentinel://, "
            "rediss+sentinel://, redis+cluster:// or rediss+cluster://"
        )
    topology, tls = SCHEMES[scheme.lower()]
    if topology == "standalone":
        return _standalone(url, tls)
    parts = urlsplit(url)
    userinfo, _, hosts = parts.netloc.rpartition("@")
    username, password = _credentials(userinfo)
    query = _single_values(parts.query)
    unknown = set(query) - MULTI_HOST_QUERY_NAMES
    if unknown:
        raise ValueError(f"REDIS_URL: unknown option(s) {', '.join(sorted(unknown))}")
    addresses = tuple(_address(host, DEFAULT_PORTS[topology]) for host in hosts.split(","))
    path = [segment for segment in parts.path.split("/") if segment]
    service_name, db = _sentinel_path(path) if topology == "sentinel" else (None, _cluster_db(path))
    return RedisUrl(
        url=url,
        topology=topology,
        tls=tls,
        addresses=addresses,
        service_name=service_name,
        db=db,
        username=username,
        password=password,
        sentinel_password=query.get("sentinel_password"),
        ca_file=query.get("ssl_ca_certs"),
    )


def _standalone(url: str, tls: bool) -> RedisUrl:
    parts = urlsplit(url)
    query = _single_values(parts.query)
    if parts.scheme.lower() == "unix":
        return RedisUrl(url=url, topology="standalone", tls=False, addresses=())
    try:
        port = parts.port or DEFAULT_PORTS["standalone"]
    except ValueError:
        raise ValueError("REDIS_URL: the port is not a number") from None
    username, password = _credentials(parts.netloc.rpartition("@")[0])
    return RedisUrl(
        url=url,
        topology="standalone",
        tls=tls,
        addresses=((parts.hostname or "localhost", port),),
        username=username,
        password=password,
        ca_file=query.get("ssl_ca_certs"),
    )


def _credentials(userinfo: str) -> tuple[str | None, str | None]:
    if not userinfo:
        return None, None
    user, has_password, password = userinfo.partition(":")
    return (unquote(user) or None), (unquote(password) if has_password else None)


def _single_values(query: str) -> dict[str, str]:
    return {name: values[-1] for name, values in parse_qs(query).items()}


def _address(text: str, default_port: int) -> tuple[str, int]:
    text = text.strip()
    if text.startswith("["):
        host, _, rest = text[1:].partition("]")
        port_text = rest.removeprefix(":")
    else:
        host, _, port_text = text.partition(":")
    if not host:
        raise ValueError("REDIS_URL: every address needs a host, as in host:port")
    if not port_text:
        return host, default_port
    if not port_text.isdigit() or not 0 < int(port_text) < 65536:
        raise ValueError(f"REDIS_URL: {port_text!r} is not a port")
    return host, int(port_text)


def _sentinel_path(path: list[str]) -> tuple[str, int]:
    if not path or len(path) > 2:
        raise ValueError(
            "REDIS_URL: a Sentinel URL ends with /<service-name> or /<service-name>/<db>"
        )
    return unquote(path[0]), _db_number(path[1] if len(path) == 2 else "0")


def _cluster_db(path: list[str]) -> int:
    if path and path != ["0"]:
        raise ValueError("REDIS_URL: a Redis Cluster has only database 0")
    return 0


def _db_number(text: str) -> int:
    if not text.isdigit():
        raise ValueError(f"REDIS_URL: {text!r} is not a database number")
    return int(text)
