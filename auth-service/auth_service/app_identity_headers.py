"""The headers that tell a protected app behind nginx who the signed-in user is."""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

USER_ID_HEADER = "X-User-Id"
USER_NAME_HEADER = "X-User-Name"
USER_EMAIL_HEADER = "X-User-Email"
USER_TENANT_HEADER = "X-User-Tenant"
CLIENT_PRINCIPAL_HEADER = "X-Client-Principal"
USER_ROLES_HEADER = "X-User-Roles"
USER_GROUPS_HEADER = "X-User-Groups"
# The principal carries a user's groups as an ID token would, up to Entra's 200; a user in more
# (group overage) finds them all in X-User-Groups only, which keeps the principal's headers
# within what app servers accept (gunicorn: 8 KB per header by default).
MAX_GROUPS_IN_PRINCIPAL = 200
# App Service's names for the same, so that an app written for App Service runs unchanged.
APP_SERVICE_PRINCIPAL_HEADER = "X-MS-CLIENT-PRINCIPAL"
APP_SERVICE_ID_HEADER = "X-MS-CLIENT-PRINCIPAL-ID"
APP_SERVICE_NAME_HEADER = "X-MS-CLIENT-PRINCIPAL-NAME"
APP_SERVICE_IDP_HEADER = "X-MS-CLIENT-PRINCIPAL-IDP"


def user_email(user: Mapping[str, Any]) -> str:
    """The user's e-mail: the `email` claim when the session has one, else the sign-in name."""
    return str(user.get("email") or user.get("username") or "")


def client_principal(user: Mapping[str, Any]) -> dict[str, Any]:
    """The signed-in user as App Service's X-MS-CLIENT-PRINCIPAL shapes it: typed claims."""
    claims = [
        ("oid", user.get("oid", "")),
        ("tid", user.get("tid", "")),
        ("name", user.get("name", "")),
        ("preferred_username", user.get("username", "")),
        ("email", user_email(user)),
    ]
    claims += [("idtyp", user.get("idtyp", "")), ("azp", user.get("azp", ""))]
    claims += [("roles", role) for role in user.get("roles") or []]
    groups = user.get("groups") or []
    if len(groups) <= MAX_GROUPS_IN_PRINCIPAL:  # as many as a token carries; else header only
        claims += [("groups", group) for group in groups]
    # How the user signed in (step_up.py): Conditional Access contexts and methods.
    claims += [("acrs", value) for value in user.get("acrs") or []]
    claims += [("amr", value) for value in user.get("amr") or []]
    return {
        "auth_typ": "aad",
        "name_typ": "name",
        "role_typ": "roles",
        "claims": [{"typ": typ, "val": str(val)} for typ, val in claims if val],
    }


def identity_headers(user: Mapping[str, Any]) -> dict[str, str]:
    """Return the X-User-* headers (non-ASCII percent-encoded), the base64 JSON principal, and
    App Service's X-MS-CLIENT-PRINCIPAL* headers with the same values."""
    principal = json.dumps(client_principal(user), separators=(",", ":"), ensure_ascii=False)
    encoded_principal = base64.b64encode(principal.encode()).decode()
    return {
        USER_ID_HEADER: _header_text(user.get("oid", "")),
        USER_NAME_HEADER: _header_text(user.get("name", "")),
        USER_EMAIL_HEADER: _header_text(user_email(user)),
        USER_TENANT_HEADER: _header_text(user.get("tid", "")),
        CLIENT_PRINCIPAL_HEADER: encoded_principal,
        USER_ROLES_HEADER: _header_list(user.get("roles") or []),
        USER_GROUPS_HEADER: _header_list(user.get("groups") or []),
        APP_SERVICE_PRINCIPAL_HEADER: encoded_principal,
        APP_SERVICE_ID_HEADER: _header_text(user.get("oid", "")),
        APP_SERVICE_NAME_HEADER: _header_text(user.get("username", "")),
        APP_SERVICE_IDP_HEADER: "aad",
    }


# Printable ASCII travels as it is; `%` is encoded so that decoding is always exact.
PRINTABLE_BUT_PERCENT = "".join(chr(code) for code in range(0x20, 0x7F) if chr(code) != "%")
PRINTABLE_BUT_PERCENT_AND_COMMA = PRINTABLE_BUT_PERCENT.replace(",", "")


def _header_text(value: object) -> str:
    # Header values are bytes on the wire: anything beyond printable ASCII is percent-encoded
    # UTF-8, so names in any script arrive intact and nothing can end a header line.
    return quote(str(value), safe=PRINTABLE_BUT_PERCENT)


def _header_list(values: list[Any]) -> str:
    # Comma-separated, each value encoded as the other headers are, its own commas too.
    return ",".join(quote(str(value), safe=PRINTABLE_BUT_PERCENT_AND_COMMA) for value in values)
