"""Refresh tokens: rotated on every use; reusing one revokes its whole family."""

from __future__ import annotations

import dataclasses
import secrets
import threading
import time
from collections import Counter
from dataclasses import dataclass

from ms_emulator.aad_errors import invalid_grant
from ms_emulator.grants import DelegatedGrant

REUSED = "reused"
REVOKED = "revoked"
FORGET_AFTER_SECONDS = 24 * 3600


@dataclass(frozen=True)
class RefreshRecord:
    """One refresh token and the family (chain of rotations) it belongs to."""

    grant: DelegatedGrant
    family_id: str
    expires_at: float
    used: bool = False


class RefreshTokenStore:
    """Issues, rotates and revokes refresh tokens, guarded by a lock."""

    def __init__(self, lifetime_seconds: int, *, token_length: int = 0) -> None:
        self._lifetime = lifetime_seconds
        self._token_length = token_length  # 0: the compact default
        self._lock = threading.Lock()
        self._tokens: dict[str, RefreshRecord] = {}
        self._revoked_families: dict[str, str] = {}
        # Per user id: refresh tokens redeemed (each one a new token issued), and already-used
        # ones presented again (each revokes its family), for tests to assert on.
        self._redeemed: Counter[str] = Counter()
        self._reused: Counter[str] = Counter()

    def issue(self, grant: DelegatedGrant, family_id: str | None = None) -> str:
        """Store a new refresh token for grant (in family_id, or a new family)."""
        token = self._new_token()
        record = RefreshRecord(
            grant=grant,
            family_id=family_id or secrets.token_hex(16),
            expires_at=min(time.time() + self._lifetime, grant.refresh_expires_at or float("inf")),
        )
        with self._lock:
            now = time.time()
            expired = [
                key
                for key, old in self._tokens.items()
                if old.expires_at + FORGET_AFTER_SECONDS < now
            ]
            for key in expired:
                del self._tokens[key]
            self._tokens[token] = record
        return token

    def _new_token(self) -> str:
        """A random token: compact, or token_length characters of random text, as opaque and
        as incompressible as Entra's encrypted refresh tokens."""
        if not self._token_length:
            return "1.EMU" + secrets.token_urlsafe(64)
        body = secrets.token_urlsafe(self._token_length)
        return ("1.EMU" + body)[: max(self._token_length, 6)]

    def peek(self, token: str) -> RefreshRecord | None:
        """The record for token without using it (None when unknown)."""
        with self._lock:
            return self._tokens.get(token)

    def use(self, token: str, client_id: str) -> RefreshRecord:
        """Consume token (single use) and return its record, or raise invalid_grant."""
        with self._lock:
            record = self._tokens.get(token)
            if record is None:
                raise invalid_grant(
                    9002313,
                    "Invalid request. Request is malformed or invalid. "
                    "The refresh token is not valid.",
                )
            if record.grant.client_id.lower() != client_id.lower():
                raise invalid_grant(
                    70000,
                    "Provided grant is invalid or malformed. "
                    "The refresh token was issued to a different client.",
                )
            reason = self._revoked_families.get(record.family_id)
            if reason == REVOKED:
                raise invalid_grant(
                    50173,
                    "The provided grant has expired due to it being "
                    "revoked, a fresh auth token is needed. The user might "
                    "have changed or reset their password.",
                )
            if reason == REUSED:
                raise invalid_grant(
                    70000,
                    "Provided grant is invalid or malformed. The refresh "
                    "token family was revoked after a refresh token was reused.",
                )
            if record.used:
                self._revoked_families[record.family_id] = REUSED
                self._reused[record.grant.user_id] += 1
                raise invalid_grant(
                    70000,
                    "Provided grant is invalid or malformed. This refresh "
                    "token was already used; every token of its family is now "
                    "revoked.",
                )
            if time.time() > record.expires_at:
                raise invalid_grant(700082, "The refresh token has expired due to inactivity.")
            self._tokens[token] = dataclasses.replace(record, used=True)
            self._redeemed[record.grant.user_id] += 1
        return record

    def spending(self) -> dict[str, dict[str, int]]:
        """Per user id that spent any: refresh tokens redeemed, and used ones presented again."""
        with self._lock:
            users = sorted(set(self._redeemed) | set(self._reused))
            return {
                user: {"redeemed": self._redeemed[user], "reused": self._reused[user]}
                for user in users
            }

    def reset_spending(self) -> None:
        """Zero the spending counts (the tokens themselves are kept)."""
        with self._lock:
            self._redeemed.clear()
            self._reused.clear()

    def revoke_user(self, user_id: str) -> int:
        """Revoke every refresh-token family of the user; return how many."""
        with self._lock:
            families = {r.family_id for r in self._tokens.values() if r.grant.user_id == user_id}
            for family in families:
                self._revoked_families[family] = REVOKED
        return len(families)
