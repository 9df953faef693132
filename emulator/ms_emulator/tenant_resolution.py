"""Resolving the {tenant} path segment: a GUID, a domain, common or organizations."""

from __future__ import annotations

from dataclasses import dataclass

from flask import request

from ms_emulator.aad_errors import AadError
from ms_emulator.browser_clients import issuer_root
from ms_emulator.directory import MULTI_TENANT_SEGMENTS
from ms_emulator.directory_models import AppRegistration, Tenant
from ms_emulator.personal_accounts import (
    CONSUMERS_SEGMENT,
    CONSUMERS_TENANT_ID,
    accepts_personal,
    is_personal,
)
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
        """True when a user of tenant_id may sign in here (organizations: no personal ones)."""
        if self.tenant is None:
            home = current_state().directory.tenant(tenant_id)
            if home is not None and home.is_customer_tenant:
                return False  # customers sign in at their own tenant's authority only
            return self.segment != "organizations" or not is_personal(tenant_id)
        return self.tenant.id == tenant_id

    def admits_app(self, app: AppRegistration) -> bool:
        """True when app may sign users in here (consumers: apps that take personal accounts)."""
        if self.tenant is not None and is_personal(self.tenant.id):
            return accepts_personal(app)
        return self.admits(app.tenant_id)


def resolve_tenant(segment: str) -> TenantScope:
    """Resolve segment or raise AADSTS90002 as Entra does for unknown tenants."""
    if segment.lower() in MULTI_TENANT_SEGMENTS:
        return TenantScope(segment.lower(), None)
    wanted = CONSUMERS_TENANT_ID if segment.lower() == CONSUMERS_SEGMENT else segment
    tenant = current_state().directory.tenant(wanted)
    if tenant is None:
        message = (
            f"Tenant '{segment}' not found. Check to make sure you have the correct tenant ID "
            "and are signing into the correct cloud."
        )
        if segment.lower() == CONSUMERS_SEGMENT:
            message = "The emulator has no Microsoft account (consumers) tenant."
        raise AadError("invalid_tenant", 90002, message)
    return TenantScope(segment, tenant)


def back_channel_root() -> str:
    """This request's own URL root (scheme://host[:port]), used for server-to-server URLs."""
    return request.host_url.rstrip("/")


def browser_root() -> str:
    """Where browsers reach the emulator: EMULATOR_BROWSER_URL, else the request's root."""
    return current_state().settings.browser_url or back_channel_root()


CIAM_HOST_SUFFIX = ".ciamlogin.com"


def id_token_issuer(tenant_id: str) -> str:
    """The v2.0 issuer for a tenant, on the host the caller used (for a browser request,
    the configured one: browser_clients.issuer_root; External ID's issuer names
    the tenant id as its host: https://<tenant id>.ciamlogin.com/<tenant id>/v2.0)."""
    if (request.host.split(":")[0]).lower().endswith(CIAM_HOST_SUFFIX):
        return f"https://{tenant_id}{CIAM_HOST_SUFFIX}/{tenant_id}/v2.0"
    return f"{issuer_root()}/{tenant_id}/v2.0"
