"""Tenants, users and app registrations as immutable records built from seed data."""

from __future__ import annotations

import base64
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

# Graph's default user properties, in the order Graph returns them.
DEFAULT_USER_PROPERTIES = (
    "businessPhones",
    "displayName",
    "givenName",
    "jobTitle",
    "mail",
    "mobilePhone",
    "officeLocation",
    "preferredLanguage",
    "surname",
    "userPrincipalName",
    "id",
)
# Further properties that may be asked for with $select.
EXTRA_USER_PROPERTIES = (
    "accountEnabled",
    "city",
    "companyName",
    "country",
    "department",
    "employeeId",
    "mailNickname",
    "usageLocation",
    "userType",
)


TENANT_KINDS = ("workforce", "ciam", "b2c")


@dataclass(frozen=True)
class Tenant:
    """A directory: an Entra tenant of an organization (workforce), or a customer one:
    External ID (ciam, at <name>.ciamlogin.com) or Azure AD B2C (b2c, with user flows)."""

    id: str
    domain: str
    display_name: str
    kind: str = "workforce"
    user_flows: tuple[str, ...] = ()

    @property
    def is_customer_tenant(self) -> bool:
        """True for External ID and B2C tenants (no sign-in through common or organizations)."""
        return self.kind != "workforce"


def tenant_from_record(record: Mapping[str, Any]) -> Tenant:
    """Build a Tenant from a seed record, checking its kind."""
    kind = str(record.get("kind") or "workforce")
    if kind not in TENANT_KINDS:
        raise ValueError(f"tenant kind must be one of {', '.join(TENANT_KINDS)}")
    return Tenant(
        id=str(record["id"]),
        domain=str(record["domain"]),
        display_name=str(record.get("display_name") or record["domain"]),
        kind=kind,
        user_flows=tuple(str(flow) for flow in record.get("user_flows", ())),
    )


@dataclass(frozen=True)
class User:
    """A user object: its Graph properties plus what sign-in needs."""

    id: str
    tenant_id: str
    properties: Mapping[str, Any]
    photo: bytes | None = None
    photo_content_type: str = "image/png"

    @property
    def upn(self) -> str:
        """The userPrincipalName."""
        return str(self.properties["userPrincipalName"])

    @property
    def display_name(self) -> str:
        """The displayName."""
        return str(self.properties.get("displayName") or self.upn)

    @property
    def enabled(self) -> bool:
        """False when the account is disabled (sign-in is blocked)."""
        return bool(self.properties.get("accountEnabled", True))

    def graph_properties(self) -> dict[str, Any]:
        """Every known property, with null for ones that are not set."""
        names = DEFAULT_USER_PROPERTIES + EXTRA_USER_PROPERTIES
        return {name: self.properties.get(name) for name in names}


def user_from_seed(record: Mapping[str, Any], tenant: Tenant) -> User:
    """Build a User from a seed or control-API record, filling Graph-like defaults."""
    upn = str(record["userPrincipalName"]).strip()
    if "@" not in upn:
        upn = f"{upn}@{tenant.domain}"
    properties: dict[str, Any] = {
        key: value for key, value in record.items() if key not in {"photo", "id", "tenant_id"}
    }
    properties["userPrincipalName"] = upn
    properties.setdefault("displayName", upn.split("@")[0])
    properties.setdefault("mail", upn)
    properties.setdefault("mailNickname", upn.split("@")[0])
    properties.setdefault("businessPhones", [])
    properties.setdefault("accountEnabled", True)
    properties.setdefault("userType", "Member")
    user_id = str(record.get("id") or uuid.uuid4())
    properties["id"] = user_id
    photo = record.get("photo") or {}
    return User(
        id=user_id,
        tenant_id=tenant.id,
        properties=properties,
        photo=base64.b64decode(photo["base64"]) if photo.get("base64") else None,
        photo_content_type=str(photo.get("content_type", "image/png")),
    )


@dataclass(frozen=True)
class AppCertificate:
    """A public certificate registered as an app credential."""

    thumbprint_sha1: str
    thumbprint_sha256: str
    public_key_pem: str


@dataclass(frozen=True)
class FederatedCredential:
    """Trust in an external issuer's tokens for one subject and audience, with its keys."""

    name: str
    issuer: str
    subject: str
    audience: str
    jwks: Mapping[str, Any]


@dataclass(frozen=True)
class AppRole:
    """An app role an app registration defines, assignable to users and groups."""

    id: str
    value: str
    display_name: str


@dataclass(frozen=True)
class Group:
    """A group object of a tenant."""

    id: str
    tenant_id: str
    display_name: str
    security_enabled: bool = True
    mail_enabled: bool = False

    def graph_properties(self) -> dict[str, Any]:
        """The group as Graph shows it in a directoryObject collection."""
        return {
            "@odata.type": "#microsoft.graph.group",
            "id": self.id,
            "displayName": self.display_name,
            "securityEnabled": self.security_enabled,
            "mailEnabled": self.mail_enabled,
            "groupTypes": [],
        }


@dataclass(frozen=True)
class AppRegistration:
    """An application registration (a client)."""

    client_id: str
    tenant_id: str
    display_name: str
    client_secrets: tuple[str, ...] = ()
    certificates: tuple[AppCertificate, ...] = ()
    federated_credentials: tuple[FederatedCredential, ...] = ()
    redirect_uris: tuple[str, ...] = ()
    post_logout_redirect_uris: tuple[str, ...] = ()
    application_permissions: tuple[str, ...] = ()
    app_roles: tuple[AppRole, ...] = ()
    group_membership_claims: str = "None"
    sign_in_audience: str = "AzureADMyOrg"
    spa_redirect_uris: tuple[str, ...] = ()  # the "Single-page application" platform
    extra: Mapping[str, Any] = field(default_factory=dict)
    # Entra's "Front-channel logout URL": loaded in an iframe when the user signs out.
    front_channel_logout_url: str | None = None
    identifier_uris: tuple[str, ...] = ()
    api_scopes: tuple[str, ...] = ()

    @property
    def is_public_client(self) -> bool:
        """True when the app has no credentials at all (a public client)."""
        return not (self.client_secrets or self.certificates or self.federated_credentials)

    @property
    def is_multi_tenant(self) -> bool:
        """True when users of any organization may sign in (AzureADMultipleOrgs, or with
        personal accounts too, AzureADandPersonalMicrosoftAccount)."""
        return self.sign_in_audience in (
            "AzureADMultipleOrgs",
            "AzureADandPersonalMicrosoftAccount",
        )

    @property
    def exposes_api(self) -> bool:
        """True when the app is registered as an API (it has an App ID URI)."""
        return bool(self.identifier_uris)

    @property
    def api_identifier(self) -> str:
        """The prefix of the app's scopes: its first App ID URI, else its client id."""
        return (self.identifier_uris or (self.client_id,))[0]

    def is_named_by(self, resource: str) -> bool:
        """True when resource is this app's client id or one of its App ID URIs."""
        wanted = resource.strip().rstrip("/").lower()
        return wanted in {
            self.client_id.lower(),
            *(u.rstrip("/").lower() for u in self.identifier_uris),
        }

    def api_scope(self, name: str) -> str | None:
        """The exposed delegated scope with this name (case-insensitive), properly cased."""
        return next((s for s in self.api_scopes if s.lower() == name.lower()), None)

    def app_role(self, value_or_id: str) -> AppRole | None:
        """The app role with this value (case-sensitive, as Entra) or id."""
        wanted = value_or_id.strip()
        return next((r for r in self.app_roles if wanted in (r.value, r.id)), None)
