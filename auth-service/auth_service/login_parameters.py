"""Checking the extra scopes and claims challenge a /login link may carry."""

from __future__ import annotations

import base64
import binascii
import json
import re

SCOPE_PATTERN = re.compile(r"^[A-Za-z][A-Za-z0-9._-]{0,99}$")
RESERVED_SCOPES = {"openid", "profile", "offline_access"}
MAX_EXTRA_SCOPES = 10
MAX_CLAIMS_LENGTH = 4096


def requested_scopes(raw: str | None) -> list[str]:
    """Return the Graph scopes named in raw (space-separated); raise ValueError if malformed."""
    if not raw:
        return []
    scopes = raw.split()
    if len(scopes) > MAX_EXTRA_SCOPES:
        raise ValueError(f"At most {MAX_EXTRA_SCOPES} extra permissions can be asked at once.")
    for scope in scopes:
        if not SCOPE_PATTERN.match(scope):
            raise ValueError(f"{scope[:40]!r} is not a Microsoft Graph permission name.")
    return [scope for scope in scopes if scope not in RESERVED_SCOPES]


def claims_challenge(raw: str | None) -> str | None:
    """Decode a base64url claims challenge to its JSON text; raise ValueError if malformed."""
    if not raw:
        return None
    if len(raw) > MAX_CLAIMS_LENGTH:
        raise ValueError("The claims challenge is too long.")
    try:
        decoded = base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)).decode("utf-8")
        parsed = json.loads(decoded)
    except (binascii.Error, ValueError):
        raise ValueError("The claims challenge is not valid base64url JSON.") from None
    if not isinstance(parsed, dict):
        raise ValueError("The claims challenge must be a JSON object.")
    return decoded
