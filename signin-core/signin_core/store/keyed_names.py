"""Store names made from secrets (session ids) by a keyed hash, so a name read is useless.

Whoever can list the store's keys learns only HMAC-SHA256(server key, id); without the key no
name leads back to the id that a client must present. The keys derive from the configured
data-encryption keys (a separate HKDF label), newest first, so rotating those keys rotates
these: names made with an older key are still found, and moved to the newest by their user.
"""

from __future__ import annotations

import base64
import hashlib
import hmac

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

HKDF_LABEL = b"signin-store-name"


def _derive_name_key(key_text: str) -> bytes:
    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=HKDF_LABEL)
    return hkdf.derive(key_text.encode("utf-8"))


class KeyedNames:
    """Turns a secret into the name it is stored under, with every configured key."""

    def __init__(self, key_texts: list[str]) -> None:
        if not key_texts:
            raise ValueError("at least one key is required")
        self._keys = [_derive_name_key(text) for text in key_texts]

    def name(self, secret: str) -> str:
        """The name secret is stored under now (the newest key)."""
        return self._name_with(self._keys[0], secret)

    def older_names(self, secret: str) -> list[str]:
        """The names secret was stored under with older keys, newest first."""
        return [self._name_with(key, secret) for key in self._keys[1:]]

    @staticmethod
    def _name_with(key: bytes, secret: str) -> str:
        digest = hmac.new(key, secret.encode("utf-8"), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")
