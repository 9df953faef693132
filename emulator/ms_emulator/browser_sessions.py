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
    """Accounts signed in to one browser, with the time each signed in."""

    id: str
    accounts: dict[str, int] = field(default_factory=dict)


class BrowserSessionStore:
    """Server-side browser sessions keyed by a random cookie value, guarded by a lock."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._sessions: dict[str, BrowserSession] = {}

    def get(self, session_id: str | None) -> BrowserSession | None:
        """A copy of the session, or None when unknown."""
        with self._lock:
            found = self._sessions.get(session_id or "")
            return BrowserSession(found.id, dict(found.accounts)) if found else None

    def sign_in(self, session_id: str | None, user_id: str) -> tuple[str, int]:
        """Add user_id to the session (creating it if needed); return (session id, auth time)."""
        auth_time = int(time.time())
        with self._lock:
            session = self._sessions.get(session_id or "")
            if session is None:
                session = BrowserSession(secrets.token_urlsafe(32))
                self._sessions[session.id] = session
            session.accounts[user_id] = auth_time
        return session.id, auth_time

    def sign_out(self, session_id: str | None) -> None:
        """Forget the whole session."""
        with self._lock:
            self._sessions.pop(session_id or "", None)

    def remove_user(self, user_id: str) -> None:
        """Sign user_id out of every browser."""
        with self._lock:
            for session in self._sessions.values():
                session.accounts.pop(user_id, None)


def public_session_id(session_id: str) -> str:
    """The session id put in tokens (sid) and session_state, unlinkable to the cookie."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, "ms-emulator-session:" + session_id))
