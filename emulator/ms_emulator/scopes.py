"""Parsing OAuth scopes the way the v2.0 endpoint does (bare names mean Microsoft Graph)."""

from __future__ import annotations

from dataclasses import dataclass

GRAPH_RESOURCE = "https://graph.microsoft.com"
GRAPH_APP_ID = "00000003-0000-0000-c000-000000000000"
GRAPH_AUDIENCES = (GRAPH_RESOURCE, GRAPH_RESOURCE + "/", GRAPH_APP_ID)
OIDC_SCOPES = ("openid", "profile", "email", "offline_access")
DEFAULT_SCOPE = ".default"

# Delegated Graph permissions the emulator knows, with what the consent page says.
GRAPH_PERMISSIONS = {
    name.lower(): (name, text)
    for name, text in (
        ("User.Read", "Sign you in and read your profile"),
        ("User.ReadWrite", "Read and update your profile"),
        ("User.ReadBasic.All", "Read all users' basic profiles"),
        ("User.Read.All", "Read all users' full profiles"),
        ("User.ReadWrite.All", "Read and write all users' full profiles"),
        ("Directory.Read.All", "Read directory data"),
        ("Mail.Read", "Read your mail"),
        ("Mail.Send", "Send mail as you"),
        ("Calendars.Read", "Read your calendars"),
        ("Calendars.ReadWrite", "Have full access to your calendars"),
        ("Contacts.Read", "Read your contacts"),
        ("Files.Read", "Read your files"),
        ("Files.ReadWrite", "Have full access to your files"),
        ("Group.Read.All", "Read all groups"),
        ("GroupMember.Read.All", "Read all group memberships"),
        ("People.Read", "Read your relevant people list"),
        ("Presence.Read", "Read your presence information"),
    )
}
OIDC_DESCRIPTIONS = {
    "openid": "Sign you in",
    "profile": "View your basic profile",
    "email": "View your email address",
    "offline_access": "Maintain access to data you have given it access to",
}


class ScopeError(ValueError):
    """A scope the endpoint rejects, with its AADSTS code."""

    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code = code


def _graph_name(scope: str) -> str | None:
    """The permission name when scope targets Graph, else None."""
    lowered = scope.lower()
    for prefix in (GRAPH_RESOURCE + "/", GRAPH_APP_ID + "/"):
        if lowered.startswith(prefix):
            return scope[len(prefix) :]
    return None if ("/" in scope or ":" in scope) else scope


def canonical_scope(scope: str) -> str:
    """Lower-case the scope and drop the Graph resource prefix."""
    name = _graph_name(scope)
    return (name if name is not None else scope).lower()


@dataclass(frozen=True)
class ScopeRequest:
    """What a scope parameter asks for."""

    oidc: frozenset[str]
    graph: frozenset[str]
    wants_default: bool
    full_form: bool

    @property
    def canonical(self) -> frozenset[str]:
        """Every canonical scope asked for (except .default)."""
        return self.oidc | self.graph


def parse_scopes(raw: str) -> ScopeRequest:
    """Split and check a scope string; raise ScopeError for scopes the emulator cannot grant."""
    oidc: set[str] = set()
    graph: set[str] = set()
    wants_default = full_form = False
    for scope in raw.split():
        if scope.lower() in OIDC_SCOPES:
            oidc.add(scope.lower())
            continue
        name = _graph_name(scope)
        if name is None:
            resource = scope.rsplit("/", 1)[0]
            raise ScopeError(
                500011,
                f"The resource principal named {resource} was not found in the tenant. "
                "The emulator only hosts Microsoft Graph.",
            )
        full_form = full_form or name != scope
        if name.lower() == DEFAULT_SCOPE:
            wants_default = True
        elif name.lower() in GRAPH_PERMISSIONS:
            graph.add(name.lower())
        else:
            raise ScopeError(
                650053,
                f"The application asked for scope '{name}' that doesn't exist on the "
                "resource '00000003-0000-0000-c000-000000000000'.",
            )
    return ScopeRequest(frozenset(oidc), frozenset(graph), wants_default, full_form)


def graph_scope_names(canonical: set[str] | frozenset[str], full_form: bool) -> list[str]:
    """Properly cased Graph permission names, optionally with the resource prefix."""
    names = sorted(GRAPH_PERMISSIONS[s][0] for s in canonical if s in GRAPH_PERMISSIONS)
    return [f"{GRAPH_RESOURCE}/{name}" for name in names] if full_form else names


def describe_scope(canonical: str) -> str:
    """The consent page's sentence for one canonical scope."""
    if canonical in OIDC_DESCRIPTIONS:
        return OIDC_DESCRIPTIONS[canonical]
    return GRAPH_PERMISSIONS.get(canonical, (canonical, canonical))[1]
