"""One encrypted MSAL token cache record per signed-in user, kept in a ByteStore."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field

import msal

from signin_core.store.byte_store import ByteStore
from signin_core.store.keys import token_cache_key
from signin_core.store.record_cipher import RecordCipher, UndecryptableRecordError

log = logging.getLogger(__name__)
# Sections of MSAL's cache we do not keep: ID tokens (about a third of a cache) are never
# used to get an access token, and the signed-in user's claims live in the session.
SECTIONS_NOT_STORED = ("IdToken",)


def stored_cache_text(cache: msal.SerializableTokenCache) -> str:
    """The cache as stored: MSAL's documented JSON, compact, without ID tokens."""
    sections = json.loads(cache.serialize() or "{}")
    kept = {name: entries for name, entries in sections.items() if name not in SECTIONS_NOT_STORED}
    return json.dumps(kept, separators=(",", ":"))


@dataclass
class LoadedTokenCache:
    """A user's token cache as loaded, and whether its record was sealed with an older key."""

    home_account_id: str
    cache: msal.SerializableTokenCache
    sealed_with_old_key: bool = field(default=False)


class TokenCacheRecords:
    """Reads and writes users' sealed token cache records; what to write is decided above."""

    def __init__(
        self, store: ByteStore, cipher: RecordCipher, *, client_id: str, ttl_seconds: int
    ) -> None:
        self._store = store
        self._cipher = cipher
        self.client_id = client_id
        self._ttl = ttl_seconds

    def key_for(self, home_account_id: str) -> str:
        """Return the store key of a user's cache."""
        return token_cache_key(self.client_id, home_account_id)

    def load(self, home_account_id: str) -> LoadedTokenCache:
        """Return the user's cache; an unreadable record is treated as an empty cache."""
        cache = msal.SerializableTokenCache()
        key = self.key_for(home_account_id)
        sealed = self._store.get(key)
        if sealed is None:
            return LoadedTokenCache(home_account_id, cache)
        try:
            record = self._cipher.open(sealed, record_name=key)
            cache.deserialize(record.plaintext.decode("utf-8"))
        except (UndecryptableRecordError, ValueError) as error:
            log.warning("token cache unreadable, treated as empty: %s", type(error).__name__)
            return LoadedTokenCache(home_account_id, msal.SerializableTokenCache())
        return LoadedTokenCache(
            home_account_id, cache, sealed_with_old_key=record.sealed_with_old_key
        )

    def reload_into(
        self, home_account_id: str, cache: msal.SerializableTokenCache, last_read: bytes | None
    ) -> tuple[bytes | None, bool]:
        """Refill cache in place from the store, unless the record is still last_read.

        Return the record read and whether it was sealed with an older key. An unreadable
        record leaves the cache empty, as load() does.
        """
        key = self.key_for(home_account_id)
        sealed = self._store.get(key)
        if sealed is not None and sealed == last_read:
            return sealed, False
        text = "{}"
        sealed_with_old_key = False
        if sealed is not None:
            try:
                record = self._cipher.open(sealed, record_name=key)
                json.loads(record.plaintext)
                text = record.plaintext.decode("utf-8")
                sealed_with_old_key = record.sealed_with_old_key
            except (UndecryptableRecordError, ValueError) as error:
                log.warning("token cache unreadable, treated as empty: %s", type(error).__name__)
        cache.deserialize(text)
        cache.has_state_changed = False
        return sealed, sealed_with_old_key

    def write(self, home_account_id: str, cache: msal.SerializableTokenCache) -> bytes:
        """Seal and store a cache unconditionally; return the record written."""
        key = self.key_for(home_account_id)
        sealed = self._cipher.seal(stored_cache_text(cache).encode("utf-8"), record_name=key)
        self._store.set(key, sealed, self._ttl)
        return sealed

    def delete(self, home_account_id: str) -> None:
        """Remove a user's cache."""
        self._store.delete(self.key_for(home_account_id))
