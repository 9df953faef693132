"""Resolving the {tenant} path segment: a GUID, a domain, common or organizations."""

from __future__ import annotations

from dataclasses import dataclass

from flask import request

from ms_emulator.aad_errors import AadError
from ms_emulator.browser_clients import issuer_root
from ms_emulator.directory import MULTI_TENANT_SEGMENTS
from ms_emulator.directory_models import Tenant
from ms_emulator.state import current_state


@dataclass(frozen=True)
class TenantScope:
    """Which tenant(s) a request addresses; tenant is None for common/organizations."""

    segment: str
    tenant: Tenant | None

    @property
    def path_segment(self) -> str:
        """The segment endpoints are published under (the GUID for a specific tenant)."""
        return self.tenant.id if self.tenant else self.segment

    def admits(self, tenant_id: str) -> bool:
        """True when a user of tenant_id may sign in here."""
        return self.tenant is None or self.tenant.id == tenant_id


def resolve_tenant(segment: str) -> TenantScope:
    """Resolve segment or raise AADSTS90002 as Entra does for unknown tenants."""
    if segment.lower() in MULTI_TENANT_SEGMENTS:
        return TenantScope(segment.lower(), None)
    tenant = current_state().directory.tenant(segment)
    if tenant is None:
        message = (
            f"Tenant '{segment}' not found. Check to make sure you have the correct tenant ID "
            "and are signing into the correct cloud."
        )
        if segment.lower() == "consumers":
            message = "The emulator has no Microsoft account (consumers) tenant."
        raise AadError("invalid_tenant", 90002, message)
    return TenantScope(segment, tenant)


def back_channel_root() -> str:
    """This request's own URL root (scheme://host[:port]), used for server-to-server URLs."""
    return request.host_url.rstrip("/")


def browser_root() -> str:
    """Where browsers reach the emulator: EMULATOR_BROWSER_URL, else the request's root."""
    return current_state().settings.browser_url or back_channel_root()


def id_token_issuer(tenant_id: str) -> str:
    """The v2.0 issuer for a tenant, on the host the caller used (for a browser request, the
    configured one: browser_clients.issuer_root)."""
    return f"{issuer_root()}/{tenant_id}/v2.0"
