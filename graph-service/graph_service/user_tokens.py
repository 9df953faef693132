"""Getting an access token for the signed-in user from their token cache."""

from __future__ import annotations

from typing import Any

from graph_service.extensions import service_state
from graph_service.json_errors import GraphServiceError
from signin_state.identity_assertion import SignedInUser


def access_token_for(user: SignedInUser, scopes: list[str]) -> str:
    """Return an access token for scopes, refreshing if needed; save the cache if changed."""
    resources = service_state().resources
    loaded = resources.token_caches.load(user.home_account_id)
    client = resources.clients.build(loaded.cache)
    account = _account_of(client.get_accounts(), user.home_account_id)
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
