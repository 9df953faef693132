"""Reading who the user is from the headers nginx sets (and no client can)."""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

from werkzeug.datastructures import Headers

IDENTITY_HEADERS = ("X-User-Id", "X-User-Name", "X-User-Email", "X-User-Tenant")
PRINCIPAL_HEADER = "X-Client-Principal"


@dataclass(frozen=True)
class ForwardedUser:
    """The signed-in user as nginx forwarded them."""

    user_id: str
    name: str
    email: str
    tenant: str
    claims: list[dict[str, str]] = field(default_factory=list)


def decode_principal(encoded: str) -> dict[str, Any]:
    """Decode X-Client-Principal (base64 JSON); an unreadable one is an empty principal."""
    try:
        decoded = json.loads(base64.b64decode(encoded, validate=True))
    except (binascii.Error, ValueError):
        return {}
    return decoded if isinstance(decoded, dict) else {}


def forwarded_user(headers: Headers) -> ForwardedUser | None:
    """Return the user nginx named in the request headers, or None if there is none."""
    user_id, name, email, tenant = (unquote(headers.get(h, "")) for h in IDENTITY_HEADERS)
    if not user_id:
        return None
    principal = decode_principal(headers.get(PRINCIPAL_HEADER, ""))
    claims = [c for c in principal.get("claims", []) if isinstance(c, dict)]
    return ForwardedUser(user_id=user_id, name=name, email=email, tenant=tenant, claims=claims)
