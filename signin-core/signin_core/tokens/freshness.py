"""Whether MSAL would have to refresh to answer acquire_token_silent, judged from the cache."""

from __future__ import annotations

import time
from typing import Any

import msal

EXPIRY_MARGIN_SECONDS = 5 * 60  # MSAL treats a token expiring within 5 minutes as expired
# A token judged fresh must stay fresh in MSAL's eyes while the request goes on to call
# acquire_token_silent outside the refresh lock; otherwise MSAL could refresh there, unlocked,
# racing another process for the same (rotating) refresh token.
DECISION_WINDOW_SECONDS = 30


def lasts_past_decision(
    expires_on: int, refresh_on: int, now: int, window: int = DECISION_WINDOW_SECONDS
) -> bool:
    """True if a token with these times stays usable to MSAL through the decision window."""
    lasts = expires_on - now >= EXPIRY_MARGIN_SECONDS + window
    return lasts and refresh_on >= now + window


def fresh_access_token(
    cache: msal.SerializableTokenCache,
    *,
    home_account_id: str,
    client_id: str,
    scopes: list[str],
    window: int = DECISION_WINDOW_SECONDS,
) -> dict[str, Any] | None:
    """The cache's access token entry for scopes that MSAL would use as it is for `window`
    seconds more (0: now), if any."""
    now = int(time.time())
    entries = cache.search(
        msal.TokenCache.CredentialType.ACCESS_TOKEN,
        target=scopes,
        query={"home_account_id": home_account_id, "client_id": client_id},
    )
    for entry in entries:
        expires_on = int(entry.get("expires_on", 0))
        if lasts_past_decision(expires_on, int(entry.get("refresh_on", expires_on)), now, window):
            return dict(entry)
    return None
