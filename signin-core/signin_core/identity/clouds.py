"""The Azure clouds (public, US Government, China): their sign-in hosts and Microsoft Graph.

AZURE_CLOUD names one; the defaults of the Graph base URL and of the edge's identity origin
follow from it, and an AUTHORITY on another cloud's sign-in host is refused.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal
from urllib.parse import urlsplit

CloudName = Literal["public", "usgovernment", "china"]


@dataclass(frozen=True)
class AzureCloud:
    """One cloud: where its users sign in and where its Microsoft Graph answers."""

    name: CloudName
    login_hosts: tuple[str, ...]  # the one to use first, then its aliases
    graph_base_url: str
    # Customer identity hosts (<tenant>.b2clogin.com, <tenant>.ciamlogin.com) of this cloud.
    customer_host_suffixes: tuple[str, ...] = ()

    @property
    def login_origin(self) -> str:
        """https:// and the cloud's sign-in host: what AUTHORITY starts with."""
        return f"https://{self.login_hosts[0]}"

    def owns_host(self, host: str) -> bool:
        """True when host is one of this cloud's sign-in or customer identity hosts."""
        host = host.lower()
        return host in self.login_hosts or any(
            host.endswith("." + suffix) for suffix in self.customer_host_suffixes
        )


CLOUDS: dict[str, AzureCloud] = {
    "public": AzureCloud(
        name="public",
        login_hosts=(
            "login.microsoftonline.com",
            "login.microsoft.com",
            "login.windows.net",
            "sts.windows.net",
        ),
        graph_base_url="https://graph.microsoft.com/v1.0",
        customer_host_suffixes=("b2clogin.com", "ciamlogin.com"),
    ),
    "usgovernment": AzureCloud(
        name="usgovernment",
        login_hosts=("login.microsoftonline.us", "login.usgovcloudapi.net"),
        graph_base_url="https://graph.microsoft.us/v1.0",
        customer_host_suffixes=("b2clogin.us",),
    ),
    "china": AzureCloud(
        name="china",
        login_hosts=("login.partner.microsoftonline.cn", "login.chinacloudapi.cn"),
        graph_base_url="https://microsoftgraph.chinacloudapi.cn/v1.0",
        customer_host_suffixes=("b2clogin.cn",),
    ),
}


def cloud_of_authority(authority: str) -> AzureCloud | None:
    """The cloud whose host AUTHORITY names, or None for any other host (the emulator, a
    custom domain)."""
    host = (urlsplit(authority).hostname or "").lower()
    return next((cloud for cloud in CLOUDS.values() if cloud.owns_host(host)), None)


def authority_cloud_mismatch(authority: str, chosen: CloudName) -> str | None:
    """Why AUTHORITY does not belong to the chosen cloud, or None when it may."""
    owner = cloud_of_authority(authority)
    if owner is None or owner.name == chosen:
        return None
    host = urlsplit(authority).hostname
    return (
        f"its host {host} is the {owner.name} cloud's, but AZURE_CLOUD is {chosen} "
        f"(sign-in at {CLOUDS[chosen].login_origin}): set AZURE_CLOUD={owner.name}, "
        "or an AUTHORITY of that cloud"
    )


def is_b2c_user_flow(authority: str) -> bool:
    """True for an Azure AD B2C authority (`https://<name>.b2clogin.com/<tenant>/<user flow>`,
    or any host with a `B2C_...` user flow as its second path segment, as MSAL decides)."""
    parts = urlsplit(authority)
    host = (parts.hostname or "").lower()
    segments = [s for s in parts.path.split("/") if s]
    on_b2c_host = any(host.endswith(f".b2clogin.{tld}") for tld in ("com", "cn", "us", "de"))
    return on_b2c_host or (len(segments) == 2 and segments[1].lower().startswith("b2c_"))
