"""A remembered token is used only while it stays fresh by the same rule as the cache's."""

from __future__ import annotations

import time
from typing import Any, cast

import msal
import pytest

from signin_core.tokens.freshness import DECISION_WINDOW_SECONDS, EXPIRY_MARGIN_SECONDS
from signin_core.tokens.owner import RememberedToken, UserClient


def user_client() -> UserClient:
    return UserClient("uid.tid", msal.SerializableTokenCache(), client=cast(Any, None))


def test_a_remembered_token_is_found_for_the_same_scopes_in_any_order() -> None:
    entry = user_client()
    later = int(time.time()) + 3600
    entry.remember(["User.Read", "Mail.Read"], RememberedToken("at", later, later))
    assert entry.remembered_token(["Mail.Read", "User.Read"]) == "at"
    assert entry.remembered_token(["User.Read"]) is None


@pytest.mark.parametrize(
    ("expires_in", "refresh_in"),
    [
        (EXPIRY_MARGIN_SECONDS + DECISION_WINDOW_SECONDS - 5, None),
        (60, None),
        (7200, DECISION_WINDOW_SECONDS - 5),
    ],
    ids=["inside-margin", "nearly-expired", "refresh-due"],
)
def test_a_token_no_longer_fresh_is_not_used(expires_in: int, refresh_in: int | None) -> None:
    entry = user_client()
    now = int(time.time())
    expires_on = now + expires_in
    refresh_on = now + refresh_in if refresh_in is not None else expires_on
    entry.remember(["User.Read"], RememberedToken("at", expires_on, refresh_on))
    assert entry.remembered_token(["User.Read"]) is None
