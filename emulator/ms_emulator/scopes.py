"""Parsing OAuth scopes the way the v2.0 endpoint does (bare names mean Microsoft Graph)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ms_emulator.directory_models import AppRegistration

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
    api: AppRegistration | None = None
    api_scopes: frozenset[str] = frozenset()

    @property
    def canonical(self) -> frozenset[str]:
        """Every canonical scope asked for (except .default)."""
        return self.oidc | self.graph | self.api_scopes


# Finds the registered API a scope's resource part (App ID URI or client id) names.
ApiLookup = Callable[[str], AppRegistration | None]


def api_scope_key(api: AppRegistration, name: str) -> str:
    """The canonical form of one of an API's scopes: <App ID URI>/<name>, lower-cased."""
    return f"{api.api_identifier}/{name}".lower()


def _api_scope(scope: str, apis: ApiLookup | None) -> tuple[AppRegistration, str | None]:
    """The registered API a non-Graph scope names and its canonical scope (None: .default)."""
    resource, _, name = scope.rpartition("/")
    api = apis(resource) if apis is not None and resource else None
    if api is None:
        raise ScopeError(
            500011,
            f"The resource principal named {resource or scope} was not found in the tenant. "
            "The emulator hosts Microsoft Graph and the APIs registered with an App ID URI.",
        )
    if name.lower() == DEFAULT_SCOPE:
        return api, None
    exposed = api.api_scope(name)
    if exposed is None:
        raise ScopeError(
            650053,
            f"The application asked for scope '{name}' that doesn't exist on the "
            f"resource '{api.client_id}'.",
        )
    return api, api_scope_key(api, exposed)


def _one_resource(raw: str, apis: set[str], graph: bool) -> None:
    """Entra's AADSTS28000: one request may name only one resource (besides OIDC scopes)."""
    if len(apis) + (1 if graph else 0) > 1:
        raise ScopeError(
            28000,
            f"Provided value for the input parameter scope is not valid because it contains "
            f"more than one resource. Scope {raw} is not valid.",
        )


def parse_scopes(raw: str, apis: ApiLookup | None = None) -> ScopeRequest:
    """Split and check a scope string; raise ScopeError for scopes the emulator cannot grant.

    Scopes of a registered API (apis finds it by App ID URI or client id) are accepted too.
    """
    oidc: set[str] = set()
    graph: set[str] = set()
    api_scopes: set[str] = set()
    found_apis: dict[str, AppRegistration] = {}
    wants_default = full_form = graph_named = False
    for scope in raw.split():
        if scope.lower() in OIDC_SCOPES:
            oidc.add(scope.lower())
            continue
        name = _graph_name(scope)
        if name is None:
            api, key = _api_scope(scope, apis)
            found_apis[api.client_id.lower()] = api
            full_form = True
            if key is None:
                wants_default = True
            else:
                api_scopes.add(key)
            continue
        graph_named = True
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
    _one_resource(raw, set(found_apis), graph_named)
    api = next(iter(found_apis.values()), None)
    return ScopeRequest(
        frozenset(oidc), frozenset(graph), wants_default, full_form, api, frozenset(api_scopes)
    )


def graph_scope_names(canonical: set[str] | frozenset[str], full_form: bool) -> list[str]:
    """Properly cased Graph permission names, optionally with the resource prefix."""
    names = sorted(GRAPH_PERMISSIONS[s][0] for s in canonical if s in GRAPH_PERMISSIONS)
    return [f"{GRAPH_RESOURCE}/{name}" for name in names] if full_form else names


def describe_scope(canonical: str) -> str:
    """The consent page's sentence for one canonical scope."""
    if canonical in OIDC_DESCRIPTIONS:
        return OIDC_DESCRIPTIONS[canonical]
    if "/" in canonical:
        return f"Access the API {canonical.rsplit('/', 1)[0]} as you ({canonical})"
    return GRAPH_PERMISSIONS.get(canonical, (canonical, canonical))[1]
