"""The clouds of the identity platform (public, US Government, China): their hosts and names.

Reached under one of a cloud's login or Graph host names (stand-in mode), the emulator answers
with that cloud's discovery values; reached under any other name, with the public cloud's
names and its own host for Graph.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Cloud:
    """One cloud instance as Entra's discovery documents describe it."""

    name: str
    login_hosts: tuple[str, ...]  # the preferred network host first, then its aliases
    preferred_cache: str
    cloud_instance_name: str
    cloud_graph_host_name: str  # Azure AD Graph, still named in discovery
    msgraph_host: str

    def instance_metadata(self) -> dict[str, Any]:
        """This cloud's entry in instance discovery's metadata."""
        return {
            "preferred_network": self.login_hosts[0],
            "preferred_cache": self.preferred_cache,
            "aliases": list(self.login_hosts),
        }


PUBLIC = Cloud(
    name="public",
    login_hosts=(
        "login.microsoftonline.com",
        "login.windows.net",
        "login.microsoft.com",
        "sts.windows.net",
    ),
    preferred_cache="login.windows.net",
    cloud_instance_name="microsoftonline.com",
    cloud_graph_host_name="graph.windows.net",
    msgraph_host="graph.microsoft.com",
)
US_GOVERNMENT = Cloud(
    name="usgovernment",
    login_hosts=("login.microsoftonline.us", "login.usgovcloudapi.net"),
    preferred_cache="login.microsoftonline.us",
    cloud_instance_name="microsoftonline.us",
    cloud_graph_host_name="graph.windows.net",
    msgraph_host="graph.microsoft.us",
)
CHINA = Cloud(
    name="china",
    login_hosts=("login.partner.microsoftonline.cn", "login.chinacloudapi.cn"),
    preferred_cache="login.partner.microsoftonline.cn",
    cloud_instance_name="partner.microsoftonline.cn",
    cloud_graph_host_name="graph.chinacloudapi.cn",
    msgraph_host="microsoftgraph.chinacloudapi.cn",
)
CLOUDS = (PUBLIC, US_GOVERNMENT, CHINA)
# The sovereign names a stand-in emulator's TLS certificate covers besides the public ones.
SOVEREIGN_HOST_NAMES = tuple(
    host for cloud in (US_GOVERNMENT, CHINA) for host in (*cloud.login_hosts, cloud.msgraph_host)
)


def host_name(netloc: str) -> str:
    """The lower-case host of a host[:port] (IPv6 literals keep their brackets)."""
    host = netloc.lower()
    if host.startswith("["):
        return host.split("]")[0] + "]"
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


def cloud_of_host(netloc: str) -> Cloud | None:
    """The cloud whose login or Graph host this is, if any."""
    host = host_name(netloc)
    return next((c for c in CLOUDS if host in (*c.login_hosts, c.msgraph_host)), None)


def is_cloud_login_host(netloc: str) -> bool:
    """True for a login host of any cloud (what instance discovery accepts besides our own)."""
    return any(host_name(netloc) in cloud.login_hosts for cloud in CLOUDS)


def discovery_cloud_values(netloc: str) -> dict[str, str]:
    """The cloud_* and msgraph_host values of a discovery document reached at netloc."""
    cloud = cloud_of_host(netloc)
    return {
        "cloud_instance_name": (cloud or PUBLIC).cloud_instance_name,
        "cloud_graph_host_name": (cloud or PUBLIC).cloud_graph_host_name,
        "msgraph_host": cloud.msgraph_host if cloud else netloc,
    }


def instance_metadata(netloc: str) -> list[dict[str, Any]]:
    """Entra's alias metadata for every cloud, plus the emulator's own host when it is none."""
    metadata = [cloud.instance_metadata() for cloud in CLOUDS]
    if not is_cloud_login_host(netloc):
        metadata.append(
            {"preferred_network": netloc, "preferred_cache": netloc, "aliases": [netloc]}
        )
    return metadata
