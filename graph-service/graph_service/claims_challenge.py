"""Reading a continuous-access-evaluation claims challenge from Graph's WWW-Authenticate."""

from __future__ import annotations

import base64
import binascii
import json
import re

CLAIMS_PARAMETER = re.compile(r'claims="([^"]+)"')


def claims_from_challenge(www_authenticate: str | None) -> str | None:
    """Return the decoded claims JSON of an insufficient_claims challenge, or None."""
    if not www_authenticate or "insufficient_claims" not in www_authenticate:
        return None
    found = CLAIMS_PARAMETER.search(www_authenticate)
    if found is None:
        return None
    encoded = found.group(1)
    try:
        decoded = base64.b64decode(encoded + "=" * (-len(encoded) % 4), altchars=b"-_")
        json.loads(decoded)
    except (binascii.Error, ValueError):
        return None
    return decoded.decode("utf-8")
