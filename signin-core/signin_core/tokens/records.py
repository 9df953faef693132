"""One encrypted MSAL token cache record per signed-in user, kept in a ByteStore.

Each record is sealed bound to the user's current sign-in generation (sign_ins.py): once the
user signs out everywhere, or the record is restored from an older copy of the store, it no
longer opens, and reads as an empty cache.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field

import msal

from signin_core.store.byte_store import ByteStore
from signin_core.store.keys import sign_in_key, token_cache_key
from signin_core.store.record_cipher import RecordCipher, UndecryptableRecordError
from signin_core.tokens.errors import SignInRequiredError

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
        """Return the user's cache; an unreadable or unbound record reads as an empty cache."""
        cache = msal.SerializableTokenCache()
        key = self.key_for(home_account_id)
        generation, sealed = self._read(home_account_id)
        if generation is None or sealed is None:
            return LoadedTokenCache(home_account_id, cache)
        try:
            record = self._cipher.open(sealed, record_name=_bound_name(key, generation))
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

        Return the record read (the sign-in generation and the sealed cache, as one value to
        compare) and whether it was sealed with an older key. An unreadable record, or one
        without a live sign-in, leaves the cache empty, as load() does.
        """
        key = self.key_for(home_account_id)
        generation, sealed = self._read(home_account_id)
        if generation is None or sealed is None:
            read = None
        else:
            read = _record_identity(generation, sealed)
        if read is not None and read == last_read:
            return read, False
        text = "{}"
        sealed_with_old_key = False
        if generation is not None and sealed is not None:
            try:
                record = self._cipher.open(sealed, record_name=_bound_name(key, generation))
                json.loads(record.plaintext)
                text = record.plaintext.decode("utf-8")
                sealed_with_old_key = record.sealed_with_old_key
            except (UndecryptableRecordError, ValueError) as error:
                log.warning("token cache unreadable, treated as empty: %s", type(error).__name__)
        cache.deserialize(text)
        cache.has_state_changed = False
        return read, sealed_with_old_key

    def write(self, home_account_id: str, cache: msal.SerializableTokenCache) -> bytes:
        """Seal and store a cache bound to the user's live sign-in; return the record written.

        Raise SignInRequiredError when the user has no live sign-in (signed out meanwhile):
        tokens are never kept for a sign-in that ended.
        """
        key = self.key_for(home_account_id)
        found = self._store.get(sign_in_key(home_account_id))
        if found is None:
            raise SignInRequiredError("login_required")
        generation = found.decode("ascii")
        sealed = self._cipher.seal(
            stored_cache_text(cache).encode("utf-8"), record_name=_bound_name(key, generation)
        )
        self._store.set(key, sealed, self._ttl)
        return _record_identity(generation, sealed)

    def delete(self, home_account_id: str) -> None:
        """Remove a user's cache."""
        self._store.delete(self.key_for(home_account_id))

    def _read(self, home_account_id: str) -> tuple[str | None, bytes | None]:
        """The user's sign-in generation and sealed cache, in one round trip."""
        found, sealed = self._store.get_many(
            [sign_in_key(home_account_id), self.key_for(home_account_id)]
        )
        return (found.decode("ascii") if found is not None else None), sealed


def _bound_name(key: str, generation: str) -> str:
    """What a record is sealed bound to: its key and the sign-in it belongs to."""
    return f"{key}#{generation}"


def _record_identity(generation: str, sealed: bytes) -> bytes:
    return generation.encode("ascii") + b"\n" + sealed
