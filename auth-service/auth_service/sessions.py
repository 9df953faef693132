"""Server-side browser sessions: an id in the cookie, the encrypted record in the store."""

from __future__ import annotations

import json
import logging
import math
import re
import secrets
import time
from typing import Any

from flask import Flask, Request, Response
from flask.sessions import SessionInterface, SessionMixin
from werkzeug.datastructures import CallbackDict

from signin_state.byte_store import ByteStore
from signin_state.errors import StoreUnavailableError
from signin_state.record_cipher import RecordCipher, UndecryptableRecordError
from signin_state.store_keys import session_key

log = logging.getLogger(__name__)
SESSION_ID_PATTERN = re.compile(r"^[A-Za-z0-9_-]{43}$")
TOUCH_INTERVAL_SECONDS = 60


def new_session_id() -> str:
    """Return a fresh unguessable session id (256 bits)."""
    return secrets.token_urlsafe(32)


class ServerSession(CallbackDict[str, Any], SessionMixin):
    """A session whose data lives server-side under session_id."""

    def __init__(self, data: dict[str, Any] | None, session_id: str, *, new: bool) -> None:
        def on_update(_: Any) -> None:
            self.modified = True

        super().__init__(data or {}, on_update)
        self.session_id = session_id
        self.new = new
        self.modified = False
        self.store_unavailable = False
        self.stale_ids: list[str] = []

    def regenerate(self) -> None:
        """Give the session a new id (at sign-in), forget the old one, restart its lifetime."""
        self.stale_ids.append(self.session_id)
        self.session_id = new_session_id()
        self.pop("_created", None)
        self.modified = True


class ServerSessionInterface(SessionInterface):
    """Loads and saves ServerSession records, encrypted, with idle and absolute lifetimes."""

    def __init__(
        self,
        store: ByteStore,
        cipher: RecordCipher,
        *,
        idle_seconds: int,
        max_seconds: int,
    ) -> None:
        self._store = store
        self._cipher = cipher
        self._idle = idle_seconds
        self._max = max_seconds
        # Activity must rewrite the record well before the idle lifetime runs out.
        self._touch_interval = min(TOUCH_INTERVAL_SECONDS, idle_seconds / 4)

    def open_session(self, app: Flask, request: Request) -> ServerSession:
        """Return the request's session; an unknown, expired or unreadable one becomes new."""
        cookie = request.cookies.get(self.get_cookie_name(app), "")
        if not SESSION_ID_PATTERN.match(cookie):
            return ServerSession(None, new_session_id(), new=True)
        try:
            data = self._load(cookie)
        except StoreUnavailableError:
            session = ServerSession(None, cookie, new=False)
            session.store_unavailable = True
            return session
        if data is None:
            return ServerSession(None, new_session_id(), new=True)
        return ServerSession(data, cookie, new=False)

    def _load(self, session_id: str) -> dict[str, Any] | None:
        key = session_key(session_id)
        sealed = self._store.get(key)
        if sealed is None:
            return None
        try:
            data: dict[str, Any] = json.loads(self._cipher.open(sealed, record_name=key).plaintext)
        except (UndecryptableRecordError, ValueError):
            log.warning("session record unreadable, starting a new session")
            return None
        now = time.time()
        if now - data.get("_created", 0) > self._max:
            self._store.delete(key)
            return None
        return data

    def save_session(self, app: Flask, session: SessionMixin, response: Response) -> None:
        """Write, refresh or delete the session record and set or clear the cookie."""
        if not isinstance(session, ServerSession) or session.store_unavailable:
            return
        name = self.get_cookie_name(app)
        try:
            for stale_id in session.stale_ids:
                self._store.delete(session_key(stale_id))
            if not session:
                if not session.new:
                    self._store.delete(session_key(session.session_id))
                    response.delete_cookie(name, path=self.get_cookie_path(app))
                return
            now = time.time()
            due_touch = now - session.get("_seen", 0) > self._touch_interval
            if not (session.modified or due_touch):
                return
            data = dict(session)
            data.setdefault("_created", now)
            data["_seen"] = now
            key = session_key(session.session_id)
            plaintext = json.dumps(data, separators=(",", ":")).encode()
            # Sliding by idle time, never past the absolute end: Redis drops it by itself.
            ttl = max(1, min(self._idle, math.ceil(data["_created"] + self._max - now)))
            self._store.set(key, self._cipher.seal(plaintext, record_name=key), ttl)
        except StoreUnavailableError:
            log.error("session store unavailable while saving")
            replace_with_unavailable(app, response)
            return
        response.set_cookie(
            name,
            session.session_id,
            httponly=True,
            secure=self.get_cookie_secure(app),
            samesite="Lax",
            path=self.get_cookie_path(app),
        )


def replace_with_unavailable(app: Flask, response: Response) -> None:
    """Turn response into the app's answer to StoreUnavailableError (503, Retry-After)."""
    answer = app.make_response(
        app.handle_user_exception(StoreUnavailableError("session store unavailable"))
    )
    for name in ("Location", "Content-Type", "Content-Length"):
        response.headers.pop(name, None)
    for name, value in answer.headers.items():
        response.headers[name] = value
    response.status_code = answer.status_code
    response.set_data(answer.get_data())
