"""Each user's current sign-in: the one record every session and token cache must match.

A sign-in record holds a random generation. Every session signed in for the user carries it,
and the user's token cache is sealed bound to it. Signing out anywhere deletes the record, so
the user's other sessions are refused at their next request (sign out everywhere), and a
session or token cache restored from an older copy of the store never matches again: the next
sign-in starts a new generation.
"""

from __future__ import annotations

import secrets

from signin_core.store.byte_store import ByteStore
from signin_core.store.keys import sign_in_key

GENERATION_BYTES = 16


class UserSignIns:
    """Start, read and end users' sign-in records (one per user, shared by their devices)."""

    def __init__(self, store: ByteStore, *, lifetime_seconds: int) -> None:
        self._store = store
        self._lifetime = lifetime_seconds

    def start(self, home_account_id: str) -> str:
        """The user's generation, created now if none is live; it lives a whole lifetime more.

        A second device signing in joins the live generation, so the first stays signed in.
        """
        key = sign_in_key(home_account_id)
        while True:
            found = self._store.get_and_touch(key, self._lifetime)
            if found is not None:
                return found.decode("ascii")
            generation = secrets.token_urlsafe(GENERATION_BYTES)
            if self._store.add(key, generation.encode("ascii"), self._lifetime):
                return generation

    def current(self, home_account_id: str) -> str | None:
        """The user's live generation, or None when the user is signed out everywhere."""
        found = self._store.get(sign_in_key(home_account_id))
        return found.decode("ascii") if found is not None else None

    def end(self, home_account_id: str) -> None:
        """Sign the user out everywhere: no session or token cache matches any more."""
        self._store.delete(sign_in_key(home_account_id))
