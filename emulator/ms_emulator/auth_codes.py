"""Authorization codes: single use, short-lived, kept in memory."""

from __future__ import annotations

import dataclasses
import secrets
import threading
import time

from ms_emulator.aad_errors import invalid_grant
from ms_emulator.grants import CodeRecord

FORGET_AFTER_SECONDS = 3600


class AuthorizationCodeStore:
    """Issues and redeems authorization codes, guarded by a lock."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._codes: dict[str, CodeRecord] = {}

    def issue(self, record: CodeRecord) -> str:
        """Store record under a new random code and return the code."""
        code = "0.EMU" + secrets.token_urlsafe(48)
        with self._lock:
            self._forget_old(time.time())
            self._codes[code] = record
        return code

    def peek(self, code: str) -> CodeRecord | None:
        """The record for code without using it (None when unknown)."""
        with self._lock:
            return self._codes.get(code)

    def redeem(self, code: str, client_id: str) -> CodeRecord:
        """Mark the code used and return it, or raise the AADSTS error Entra would send."""
        now = time.time()
        with self._lock:
            record = self._codes.get(code)
            if record is None:
                raise invalid_grant(
                    9002313,
                    "Invalid request. Request is malformed or invalid. "
                    "The provided authorization code is not valid.",
                )
            if record.grant.client_id.lower() != client_id.lower():
                raise invalid_grant(
                    70000, "The provided authorization code was issued to a different client."
                )
            if record.redeemed:
                raise invalid_grant(
                    54005,
                    "OAuth2 Authorization code was already redeemed, "
                    "please retry with a new valid code or use an existing "
                    "refresh token.",
                )
            if now > record.expires_at:
                raise invalid_grant(
                    70008,
                    "The provided authorization code or refresh token "
                    "has expired due to inactivity. Send a new interactive "
                    "authorization request for this user and resource.",
                )
            self._codes[code] = dataclasses.replace(record, redeemed=True)
        return record

    def _forget_old(self, now: float) -> None:
        """Drop codes long past expiry (caller holds the lock)."""
        stale = [c for c, r in self._codes.items() if now > r.expires_at + FORGET_AFTER_SECONDS]
        for code in stale:
            del self._codes[code]
