"""A token judged fresh stays usable to MSAL while the request goes on, so no unlocked refresh."""

from __future__ import annotations

import json
import time

import msal
import pytest

from signin_core.tokens.freshness import (
    DECISION_WINDOW_SECONDS,
    EXPIRY_MARGIN_SECONDS,
    fresh_access_token,
)

HOME = "uid.utid"
CLIENT = "client-id"


def cache_with_access_token(
    expires_in: int, refresh_in: int | None = None
) -> msal.SerializableTokenCache:
    now = int(time.time())
    entry = {
        "credential_type": "AccessToken",
        "secret": "at",
        "home_account_id": HOME,
        "environment": "login.example",
        "client_id": CLIENT,
        "target": "User.Read",
        "realm": "utid",
        "token_type": "Bearer",
        "cached_at": str(now),
        "expires_on": str(now + expires_in),
        "extended_expires_on": str(now + expires_in),
    }
    if refresh_in is not None:
        entry["refresh_on"] = str(now + refresh_in)
    cache = msal.SerializableTokenCache()
    cache.deserialize(json.dumps({"AccessToken": {"at-key": entry}}))
    return cache


@pytest.mark.parametrize(
    ("expires_in", "refresh_in", "fresh"),
    [
        (3600, None, True),
        (EXPIRY_MARGIN_SECONDS + DECISION_WINDOW_SECONDS + 5, None, True),
        (EXPIRY_MARGIN_SECONDS + DECISION_WINDOW_SECONDS - 5, None, False),
        (EXPIRY_MARGIN_SECONDS + 1, None, False),
        (60, None, False),
        (7200, 3600, True),
        (7200, DECISION_WINDOW_SECONDS - 5, False),
        (7200, -10, False),
    ],
)
def test_freshness_leaves_a_decision_window(
    expires_in: int, refresh_in: int | None, fresh: bool
) -> None:
    cache = cache_with_access_token(expires_in, refresh_in)
    judged = fresh_access_token(cache, home_account_id=HOME, client_id=CLIENT, scopes=["User.Read"])
    assert (judged is not None) is fresh
    if judged is not None:
        assert judged["secret"] == "at"


def test_a_token_for_other_scopes_is_not_fresh() -> None:
    cache = cache_with_access_token(3600)
    assert (
        fresh_access_token(cache, home_account_id=HOME, client_id=CLIENT, scopes=["Mail.Read"])
        is None
    )
