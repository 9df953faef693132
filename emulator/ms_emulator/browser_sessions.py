"""The emulator's own sign-in sessions (the browser cookie of login.microsoftonline.com)."""

from __future__ import annotations

import secrets
import threading
import time
import uuid
from dataclasses import dataclass, field

COOKIE_NAME = "emulator_signin"


@dataclass
class BrowserSession:
    """Accounts signed in to one browser, with the time each signed in, and the apps
    (client ids) each account signed in to from it (for front-channel logout)."""

    id: str
    accounts: dict[str, int] = field(default_factory=dict)
    apps: dict[str, set[str]] = field(default_factory=dict)
    issuers: dict[str, str] = field(default_factory=dict)  # user -> their ID tokens' iss


class BrowserSessionStore:
    """Server-side browser sessions keyed by a random cookie value, guarded by a lock."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._sessions: dict[str, BrowserSession] = {}
        self._by_public_id: dict[str, str] = {}  # public_session_id(id) -> id

    def get(self, session_id: str | None) -> BrowserSession | None:
        """A copy of the session, or None when unknown."""
        with self._lock:
            found = self._sessions.get(session_id or "")
            return _copy(found) if found else None

    def sign_in(self, session_id: str | None, user_id: str) -> tuple[str, int]:
        """Add user_id to the session (creating it if needed); return (session id, auth time)."""
        auth_time = int(time.time())
        with self._lock:
            session = self._sessions.get(session_id or "")
            if session is None:
                session = BrowserSession(secrets.token_urlsafe(32))
                self._sessions[session.id] = session
                self._by_public_id[public_session_id(session.id)] = session.id
            session.accounts[user_id] = auth_time
        return session.id, auth_time

    def sign_out(self, session_id: str | None) -> None:
        """Forget the whole session."""
        self.end(session_id)

    def end(self, session_id: str | None) -> BrowserSession | None:
        """Forget the whole session and return what it was (None when unknown)."""
        with self._lock:
            ended = self._sessions.pop(session_id or "", None)
            if ended is not None:
                self._by_public_id.pop(public_session_id(ended.id), None)
            return ended

    def note_app(self, session_id: str, user_id: str, client_id: str) -> None:
        """Remember that user_id signed in to client_id from this browser session."""
        with self._lock:
            session = self._sessions.get(session_id)
            if session is not None:
                session.apps.setdefault(user_id, set()).add(client_id.lower())

    def note_issuer(self, public_id: str, user_id: str, issuer: str) -> None:
        """Remember the iss of the ID tokens issued to user_id in the session public_id names
        (the host they were asked on decides it), for its front-channel logout calls."""
        with self._lock:
            session = self._sessions.get(self._by_public_id.get(public_id, ""))
            if session is not None:
                session.issuers[user_id] = issuer

    def remove_user(self, user_id: str) -> None:
        """Sign user_id out of every browser."""
        with self._lock:
            for session in self._sessions.values():
                session.accounts.pop(user_id, None)
                session.apps.pop(user_id, None)


def _copy(session: BrowserSession) -> BrowserSession:
    apps = {user: set(clients) for user, clients in session.apps.items()}
    return BrowserSession(session.id, dict(session.accounts), apps, dict(session.issuers))


def public_session_id(session_id: str) -> str:
    """The session id put in tokens (sid) and session_state, unlinkable to the cookie."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, "ms-emulator-session:" + session_id))
