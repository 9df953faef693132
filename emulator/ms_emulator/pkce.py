"""PKCE (RFC 7636) verification."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re

VERIFIER_PATTERN = re.compile(r"^[A-Za-z0-9\-._~]{43,128}$")


def verifier_matches(verifier: str, challenge: str, method: str | None) -> bool:
    """True when verifier is well-formed and hashes (S256) or equals (plain) challenge."""
    if not VERIFIER_PATTERN.match(verifier):
        return False
    if method == "S256":
        digest = hashlib.sha256(verifier.encode("ascii")).digest()
        computed = base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")
    else:
        computed = verifier
    return hmac.compare_digest(computed, challenge)
