"""Getting an access token for the signed-in user from their token cache."""

from __future__ import annotations

from typing import Any

from graph_service.extensions import service_state
from graph_service.json_errors import GraphServiceError
from signin_state.identity_assertion import SignedInUser
from signin_state.token_caches import LoadedTokenCache
from signin_state.token_freshness import has_fresh_access_token

REFRESH_LOCK_WAIT_SECONDS = 10.0


def access_token_for(user: SignedInUser, scopes: list[str]) -> str:
    """Return an access token for scopes; refresh under the user's lock when one is needed."""
    state = service_state()
    caches = state.resources.token_caches
    loaded = caches.load(user.home_account_id)
    fresh = has_fresh_access_token(
        loaded.cache,
        home_account_id=user.home_account_id,
        client_id=state.settings.client_id,
        scopes=scopes,
    )
    if fresh:
        return _acquire_silently(loaded, scopes)
    locks = state.resources.refresh_locks
    with locks.hold(user.home_account_id, wait_seconds=REFRESH_LOCK_WAIT_SECONDS):
        # Whether we hold the lock or waited for it in vain, reload: another process may
        # have refreshed and saved while we waited, and its rotated refresh token wins.
        return _acquire_silently(caches.load(user.home_account_id), scopes)


def _acquire_silently(loaded: LoadedTokenCache, scopes: list[str]) -> str:
    resources = service_state().resources
    client = resources.clients.build(loaded.cache)
    account = _account_of(client.get_accounts(), loaded.home_account_id)
    if account is None:
        raise GraphServiceError(
            401,
            "login_required",
            "No tokens are stored for this user; sign in again.",
            login_url="/login",
        )
    result = client.acquire_token_silent(scopes, account)
    resources.token_caches.save(loaded)
    if result and "access_token" in result:
        return str(result["access_token"])
    raise GraphServiceError(
        401,
        "login_required",
        "The stored sign-in can no longer get a token; sign in again.",
        login_url="/login",
    )


def _account_of(accounts: list[dict[str, Any]], home_account_id: str) -> dict[str, Any] | None:
    return next((a for a in accounts if a.get("home_account_id") == home_account_id), None)
