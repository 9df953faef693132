"""Browser sessions on Flask-Session, each record sealed by our cipher under its key name.

A session is stored under a keyed hash of its id (store/keyed_names.py), never the id: a
copy of every key and value in Redis signs nobody in. A signed-in session names the user's
sign-in generation (tokens/sign_ins.py) and is refused once the user has signed out anywhere.
"""

from __future__ import annotations

import logging
import math
import re
import time
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

import msgspec
from flask import Flask, Request, Response, has_request_context, request
from flask.sessions import SessionMixin
from flask_session.base import Serializer, ServerSideSession, ServerSideSessionInterface

from auth_service.session_index import SessionIndex, SessionSeen, new_reference
from signin_core.errors import StoreUnavailableError
from signin_core.store.byte_store import ByteStore
from signin_core.store.keyed_names import KeyedNames
from signin_core.store.keys import session_key
from signin_core.store.record_cipher import RecordCipher, UndecryptableRecordError
from signin_core.tokens.sign_ins import UserSignIns

log = logging.getLogger(__name__)
SESSION_ID_BYTES = 32  # secrets.token_urlsafe(32): 43 characters, 256 bits
SESSION_ID_PATTERN = re.compile(r"^[A-Za-z0-9_-]{43}$")
TOUCH_INTERVAL_SECONDS = 60
CREATED = "_created"
SEEN = "_seen"
USER = "user"
SIGN_IN = "sign_in"  # in the user's entry: the sign-in generation the session belongs to
REFERENCE = "_ref"  # a signed-in session's opaque reference in the index (session_index.py)
IDENTITY_SESSION = "identity_session"  # the ID token's sid and iss (front-channel logout)


class StoredSession(ServerSideSession):  # type: ignore[misc]
    """A Flask-Session session that knows whether its store answered when it was opened."""

    store_unavailable = False


class JsonSerializer(Serializer):  # type: ignore[misc]
    """Session data as JSON text, the plaintext the cipher seals (never pickle)."""

    def __init__(self) -> None:
        self._encoder = msgspec.json.Encoder()
        self._decoder = msgspec.json.Decoder(dict[str, Any])

    def encode(self, session: Mapping[str, Any]) -> bytes:
        """Serialize the session data to JSON."""
        return self._encoder.encode(dict(session))

    def decode(self, serialized_data: bytes) -> dict[str, Any]:
        """Parse JSON session data; raise msgspec.DecodeError unless it is an object."""
        data: dict[str, Any] = self._decoder.decode(serialized_data)
        return data


class SealedSessionInterface(ServerSideSessionInterface):  # type: ignore[misc]
    """Flask-Session's cookie, ids and regeneration, over a ByteStore that only sees sealed bytes.

    Sessions end after idle_seconds without activity and max_seconds after sign-in; activity
    rewrites the record at most once a TOUCH_INTERVAL_SECONDS. Flask-Session hands the
    storage methods key_prefix + id; they store under key_prefix + the id's keyed name.
    """

    session_class = StoredSession
    ttl = True  # the store expires records itself: no clean-up job

    def __init__(
        self,
        app: Flask,
        store: ByteStore,
        cipher: RecordCipher,
        names: KeyedNames,
        sign_ins: UserSignIns,
        *,
        idle_seconds: int,
        max_seconds: int,
        index: SessionIndex | None = None,
    ) -> None:
        super().__init__(
            app,
            key_prefix=session_key(""),
            use_signer=False,
            permanent=False,  # a browser-session cookie: Redis, not the browser, ends it
            sid_length=SESSION_ID_BYTES,
        )
        self.serializer = JsonSerializer()
        self._store = store
        self._cipher = cipher
        self._names = names
        self._sign_ins = sign_ins
        self._idle = idle_seconds
        self._max = max_seconds
        self._index = index
        # Activity must rewrite the record well before the idle lifetime runs out.
        self._touch_interval = min(TOUCH_INTERVAL_SECONDS, idle_seconds / 4)

    def open_session(self, app: Flask, request: Request) -> StoredSession:
        """Return the request's session; while the store is down, one marked unavailable."""
        try:
            session: StoredSession = super().open_session(app, request)
        except StoreUnavailableError:
            session = self.session_class(sid=None)
            session.store_unavailable = True
        return session

    def regenerate(self, session: ServerSideSession) -> None:
        """Give the session a new id (at sign-in), forget the old one, restart its lifetime."""
        super().regenerate(session)
        session.pop(CREATED, None)

    def should_set_storage(self, app: Flask, session: ServerSideSession) -> bool:
        """Write when the data changed, or to record activity at most once a touch interval."""
        return bool(session.modified) or time.time() - session.get(SEEN, 0) > self._touch_interval

    def should_set_cookie(self, app: Flask, session: SessionMixin) -> bool:
        """Set the cookie whenever the record was written."""
        assert isinstance(session, ServerSideSession)
        return self.should_set_storage(app, session)

    def get_cookie_httponly(self, app: Flask) -> bool:
        """Scripts never read the session cookie."""
        return True

    def get_cookie_samesite(self, app: Flask) -> str:
        """Lax: the identity platform's redirect back (a top-level GET) carries the cookie."""
        return "Lax"

    def save_session(self, app: Flask, session: SessionMixin, response: Response) -> None:
        """Save as Flask-Session does; if the store fails, the answer becomes a 503."""
        if not isinstance(session, StoredSession) or session.store_unavailable:
            return
        try:
            super().save_session(app, session, response)
        except StoreUnavailableError as error:
            log.error("session store unavailable while saving")
            replace_with_unavailable(app, response, error)

    def _retrieve_session_data(self, store_id: str) -> dict[str, Any] | None:
        """Open the session whose id store_id carries: malformed, unreadable, ended is absent."""
        session_id = store_id.removeprefix(self.key_prefix)
        if not SESSION_ID_PATTERN.match(session_id):
            return None
        key = session_key(self._names.name(session_id))
        data = self._open(key)
        if data is None:
            data = self._move_from_older_key(session_id, key)
        if data is None:
            return None
        if time.time() - data.get(CREATED, 0) > self._max or not self._sign_in_is_live(data):
            self._store.delete(key)
            return None
        return data

    def _open(self, key: str) -> dict[str, Any] | None:
        sealed = self._store.get(key)
        if sealed is None:
            return None
        try:
            plaintext = self._cipher.open(sealed, record_name=key).plaintext
            return self.serializer.decode(plaintext)
        except (UndecryptableRecordError, msgspec.DecodeError):
            log.warning("session record unreadable, starting a new session")
            return None

    def _move_from_older_key(self, session_id: str, key: str) -> dict[str, Any] | None:
        """A session named with a rotated-out key: store it under the newest name."""
        for older in self._names.older_names(session_id):
            data = self._open(session_key(older))
            if data is not None:
                self._write(key, data)
                self._store.delete(session_key(older))
                return data
        return None

    def _sign_in_is_live(self, data: dict[str, Any]) -> bool:
        """An anonymous session, or a signed-in one whose user has not signed out since."""
        user = data.get(USER)
        if not user:
            return True
        generation = user.get(SIGN_IN)
        live = generation is not None and generation == self._sign_ins.current(
            str(user.get("home_account_id", ""))
        )
        if not live:
            log.info("session refused: its user signed out since it signed in")
        return live

    def _delete_session(self, store_id: str) -> None:
        """Delete the session whose id store_id carries, under every name it may have."""
        session_id = store_id.removeprefix(self.key_prefix)
        for name in [self._names.name(session_id), *self._names.older_names(session_id)]:
            self._store.delete(session_key(name))

    def _upsert_session(
        self, session_lifetime: timedelta, session: ServerSideSession, store_id: str
    ) -> None:
        """Seal the session under its id's newest keyed name."""
        session_id = store_id.removeprefix(self.key_prefix)
        now = time.time()
        data = dict(session)
        data.setdefault(CREATED, now)
        data[SEEN] = now
        if data.get(USER):
            data.setdefault(REFERENCE, new_reference())
        self._write(session_key(self._names.name(session_id)), data)

    def _write(self, key: str, data: dict[str, Any]) -> None:
        """Seal data at key, expiring by idle time, never past the absolute end; a signed-in
        session is recorded in its user's index, and not kept if it was revoked there."""
        if not self._indexed(key, data):
            self._store.delete(key)
            return
        now = time.time()
        # Sliding by idle time, never past the absolute end: the store drops it by itself.
        ttl = max(1, min(self._idle, math.ceil(data.get(CREATED, now) + self._max - now)))
        sealed = self._cipher.seal(self.serializer.encode(data), record_name=key)
        self._store.set(key, sealed, ttl)

    def _indexed(self, key: str, data: dict[str, Any]) -> bool:
        """Record a signed-in session in its user's index; False when it was revoked."""
        user = data.get(USER)
        if self._index is None or not user or not data.get(REFERENCE):
            return True
        identity = data.get(IDENTITY_SESSION) or {}
        in_request = has_request_context()
        return self._index.seen(
            SessionSeen(
                reference=str(data[REFERENCE]),
                name=key.removeprefix(self.key_prefix),
                home_account_id=str(user.get("home_account_id", "")),
                sign_in=str(user.get(SIGN_IN, "")),
                signed_in_at=float(data.get(CREATED, time.time())),
                device=request.headers.get("User-Agent", "") if in_request else "",
                address=(request.remote_addr or "") if in_request else "",
                sid=str(identity.get("sid", "")),
                issuer=str(identity.get("iss", "")),
            )
        )


def replace_with_unavailable(app: Flask, response: Response, error: StoreUnavailableError) -> None:
    """Turn response into the app's answer to error (503, Retry-After)."""
    answer = app.make_response(app.handle_user_exception(error))
    for name in ("Location", "Content-Type", "Content-Length"):
        response.headers.pop(name, None)
    for name, value in answer.headers.items():
        response.headers[name] = value
    response.status_code = answer.status_code
    response.set_data(answer.get_data())
