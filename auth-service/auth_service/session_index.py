"""Each user's index of signed-in sessions: what an admin lists and revokes, and what the
identity platform's front-channel logout ends.

One sealed record per user (store/keys.py session_index_key) maps an opaque reference of
each session to its device (User-Agent, trimmed), client address, sign-in time, last seen,
the identity platform's `sid`, and the session's keyed name (never its id: a Redis reader
signs nobody in). The sessions write it when they write themselves, so at most once a
minute per session; it expires with the newest of them. An `sid` leads to its user through
a second sealed record named by the sid's keyed hash.

The record is read, changed and written back without a lock: two sessions of one user
writing in the same instant can lose one entry, which its session writes again at its next
touch (within a minute). A revoked session's entry stays as a tombstone until its session
would have ended anyway, so a request of that session still in flight cannot write it back.
"""

from __future__ import annotations

import logging
import math
import secrets
import time
from dataclasses import dataclass
from typing import Any

import msgspec

from signin_core.store.byte_store import ByteStore
from signin_core.store.keyed_names import KeyedNames
from signin_core.store.keys import identity_session_key, session_index_key, session_key
from signin_core.store.record_cipher import RecordCipher, UndecryptableRecordError

log = logging.getLogger(__name__)
DEVICE_MAX_CHARACTERS = 200
ADDRESS_MAX_CHARACTERS = 64
REFERENCE_BYTES = 12


class IndexEntry(msgspec.Struct, frozen=True):
    """One signed-in session as the index keeps it."""

    name: str  # the session's keyed name (its record is session_key(name))
    device: str
    address: str
    signed_in_at: float
    last_seen: float
    sid: str = ""
    issuer: str = ""
    sign_in: str = ""  # the user's sign-in generation the session belongs to
    revoked: bool = False


@dataclass(frozen=True)
class SessionSeen:
    """What a session's write tells the index about it."""

    reference: str
    name: str
    home_account_id: str
    sign_in: str
    signed_in_at: float
    device: str
    address: str
    sid: str
    issuer: str


@dataclass(frozen=True)
class ListedSession:
    """A live session of a user, as the administration API shows it."""

    reference: str
    name: str
    device: str
    address: str
    signed_in_at: float
    last_seen: float


def new_reference() -> str:
    """An opaque, random reference for a session (not its id, not its name)."""
    return secrets.token_urlsafe(REFERENCE_BYTES)


def trimmed(text: str, limit: int) -> str:
    """text without control characters, at most limit characters."""
    printable = "".join(c for c in text if c.isprintable())
    return printable[:limit]


class SessionIndex:
    """Record, list and end users' signed-in sessions."""

    def __init__(
        self,
        store: ByteStore,
        cipher: RecordCipher,
        names: KeyedNames,
        *,
        idle_seconds: int,
        max_seconds: int,
    ) -> None:
        self._store = store
        self._cipher = cipher
        self._names = names
        self._idle = idle_seconds
        self._max = max_seconds
        self._encoder = msgspec.json.Encoder()
        self._decoder = msgspec.json.Decoder(dict[str, IndexEntry])

    def seen(self, session: SessionSeen) -> bool:
        """Record that a session was written now; False when it was revoked (do not keep it)."""
        now = time.time()
        entries = self._read(session.home_account_id)
        known = entries.get(session.reference)
        if known is not None and known.revoked:
            return False
        entries[session.reference] = IndexEntry(
            name=session.name,
            device=trimmed(session.device, DEVICE_MAX_CHARACTERS),
            address=trimmed(session.address, ADDRESS_MAX_CHARACTERS),
            signed_in_at=session.signed_in_at,
            last_seen=now,
            sid=session.sid,
            issuer=session.issuer,
            sign_in=session.sign_in,
        )
        self._write(session.home_account_id, entries)
        if known is None and session.sid:
            self._remember_sid(session.sid, session.home_account_id, session.signed_in_at)
        return True

    def sessions_of(self, home_account_id: str, current_sign_in: str | None) -> list[ListedSession]:
        """The user's live sessions, oldest sign-in first: never one that ended."""
        if current_sign_in is None:
            return []
        entries = self._read(home_account_id)
        listed = []
        for reference, entry in entries.items():
            if entry.revoked or entry.sign_in != current_sign_in:
                continue
            if self._store.get(session_key(entry.name)) is None:
                continue
            listed.append(
                ListedSession(
                    reference=reference,
                    name=entry.name,
                    device=entry.device,
                    address=entry.address,
                    signed_in_at=entry.signed_in_at,
                    last_seen=entry.last_seen,
                )
            )
        return sorted(listed, key=lambda s: s.signed_in_at)

    def revoke(self, home_account_id: str, reference: str) -> bool:
        """End one session of the user; False when the user has no such session."""
        entries = self._read(home_account_id)
        entry = entries.get(reference)
        if entry is None or entry.revoked:
            return False
        self._store.delete(session_key(entry.name))
        entries[reference] = msgspec.structs.replace(entry, revoked=True)
        self._write(home_account_id, entries)
        return True

    def revoke_all(self, home_account_id: str) -> None:
        """End every indexed session of the user and forget the index."""
        for entry in self._read(home_account_id).values():
            self._store.delete(session_key(entry.name))
        self._store.delete(session_index_key(home_account_id))

    def end_identity_session(self, sid: str, issuer: str | None) -> int:
        """End the sessions signed in through the identity platform session sid (and issuer,
        when given); return how many ended. Unknown sid: none."""
        home_account_id = self._user_of_sid(sid)
        if home_account_id is None:
            return 0
        entries = self._read(home_account_id)
        ended = 0
        for reference, entry in entries.items():
            if entry.revoked or not secrets.compare_digest(entry.sid, sid):
                continue
            if issuer and entry.issuer and entry.issuer != issuer:
                continue
            self._store.delete(session_key(entry.name))
            entries[reference] = msgspec.structs.replace(entry, revoked=True)
            ended += 1
        if ended:
            self._write(home_account_id, entries)
        return ended

    def _remember_sid(self, sid: str, home_account_id: str, signed_in_at: float) -> None:
        key = identity_session_key(self._names.name(sid))
        sealed = self._cipher.seal(home_account_id.encode("utf-8"), record_name=key)
        self._store.set(key, sealed, self._ttl(signed_in_at))

    def _user_of_sid(self, sid: str) -> str | None:
        for name in [self._names.name(sid), *self._names.older_names(sid)]:
            key = identity_session_key(name)
            sealed = self._store.get(key)
            if sealed is None:
                continue
            try:
                return self._cipher.open(sealed, record_name=key).plaintext.decode("utf-8")
            except (UndecryptableRecordError, UnicodeDecodeError):
                log.warning("identity session record unreadable")
        return None

    def _read(self, home_account_id: str) -> dict[str, IndexEntry]:
        """The user's entries that could still be live (expired ones are dropped)."""
        key = session_index_key(home_account_id)
        sealed = self._store.get(key)
        if sealed is None:
            return {}
        try:
            plaintext = self._cipher.open(sealed, record_name=key).plaintext
            entries = self._decoder.decode(plaintext)
        except (UndecryptableRecordError, msgspec.DecodeError):
            log.warning("session index unreadable, starting a new one")
            return {}
        now = time.time()
        return {
            reference: entry
            for reference, entry in entries.items()
            if now - entry.last_seen <= self._idle and now - entry.signed_in_at <= self._max
        }

    def _write(self, home_account_id: str, entries: dict[str, IndexEntry]) -> None:
        key = session_index_key(home_account_id)
        if not entries:
            self._store.delete(key)
            return
        newest = max(entry.signed_in_at for entry in entries.values())
        sealed = self._cipher.seal(self._encoder.encode(entries), record_name=key)
        self._store.set(key, sealed, self._ttl(newest))

    def _ttl(self, signed_in_at: float) -> int:
        """Seconds until a session signed in at signed_in_at must have ended."""
        return max(1, math.ceil(signed_in_at + self._max - time.time()))


def describe(session: ListedSession, *, current: bool) -> dict[str, Any]:
    """A session as the administration API answers it (times in ISO 8601, UTC)."""
    return {
        "id": session.reference,
        "device": session.device,
        "address": session.address,
        "signed_in_at": _iso(session.signed_in_at),
        "last_seen": _iso(session.last_seen),
        "current": current,
    }


def _iso(epoch: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(epoch))
