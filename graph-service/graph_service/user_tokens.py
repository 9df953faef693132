"""Getting an access token for the signed-in user from their token cache."""

from __future__ import annotations

import base64
import logging
import time
from typing import Any
from urllib.parse import urlencode

from graph_service.extensions import gateway, service_state
from graph_service.json_errors import GraphServiceError, identity_platform_unavailable
from graph_service.user_clients import RememberedToken, UserClient
from signin_state.identity_assertion import SignedInUser
from signin_state.metrics import current_metrics
from signin_state.token_freshness import fresh_access_token

log = logging.getLogger(__name__)

REFRESH_LOCK_WAIT_SECONDS = 10.0
CONSENT_REQUIRED_CODE = 65001
# OAuth errors that say the identity platform could not serve the request right now: the
# stored sign-in is still good, so the caller is asked to retry, not to sign in again.
TRANSIENT_IDENTITY_PLATFORM_ERRORS = frozenset({"temporarily_unavailable", "server_error"})


def login_url(*, next_path: str, scopes: list[str] | None = None, claims: str | None = None) -> str:
    """The auth-service URL that signs the user in again, asking for scopes or claims."""
    query: dict[str, str] = {}
    if scopes:
        query["scopes"] = " ".join(scopes)
    if claims:
        query["claims"] = base64.urlsafe_b64encode(claims.encode()).decode().rstrip("=")
    query["next"] = next_path
    return "/login?" + urlencode(query)


def access_token_for(
    user: SignedInUser, scopes: list[str], *, next_path: str, claims_challenge: str | None = None
) -> str:
    """Return an access token for scopes; refresh under the user's lock when one is needed."""
    state = service_state()
    metrics = current_metrics()
    with gateway().user_clients.use(user.home_account_id) as entry:
        if claims_challenge is None:
            token = entry.remembered_token(scopes) or _fresh_token(entry, scopes, next_path)
            if token is not None:
                metrics.token_cache.labels("hit").inc()
                return token
        locks = state.resources.refresh_locks
        waited_from = time.perf_counter()
        with locks.hold(user.home_account_id, wait_seconds=REFRESH_LOCK_WAIT_SECONDS) as taken:
            metrics.refresh_lock_wait_seconds.observe(time.perf_counter() - waited_from)
            metrics.refresh_lock.labels("acquired" if taken else "timeout").inc()
            # Whether we hold the lock or waited for it in vain, reload: another process may
            # have refreshed and saved while we waited, and its rotated refresh token wins.
            gateway().user_clients.reload(entry)
            token, refreshed = _acquire_silently(entry, scopes, next_path, claims_challenge)
            metrics.token_cache.labels("refresh" if refreshed else "hit").inc()
            return token


def _fresh_token(entry: UserClient, scopes: list[str], next_path: str) -> str | None:
    """acquire_token_silent's token when the cache holds a fresh one (no refresh), else None."""
    fresh = fresh_access_token(
        entry.cache,
        home_account_id=entry.home_account_id,
        client_id=service_state().settings.client_id,
        scopes=scopes,
    )
    if fresh is None:
        return None
    token = _acquire_silently(entry, scopes, next_path, None)[0]
    if token == fresh["secret"]:
        expires_on = int(fresh["expires_on"])
        entry.remember(
            scopes, RememberedToken(token, expires_on, int(fresh.get("refresh_on", expires_on)))
        )
    return token


def _acquire_silently(
    entry: UserClient, scopes: list[str], next_path: str, claims_challenge: str | None
) -> tuple[str, bool]:
    account = _account_of(entry.client.get_accounts(), entry.home_account_id)
    if account is None:
        raise GraphServiceError(
            401,
            "login_required",
            "No tokens are stored for this user; sign in again.",
            login_url=login_url(next_path=next_path),
        )
    result = entry.client.acquire_token_silent_with_error(
        scopes, account, claims_challenge=claims_challenge
    )
    saved = gateway().user_clients.save(entry)
    if result and "access_token" in result:
        return str(result["access_token"]), saved
    raise _why_no_token(result, scopes, next_path, claims_challenge)


def _why_no_token(
    result: dict[str, Any] | None, scopes: list[str], next_path: str, claims: str | None
) -> GraphServiceError:
    if result and result.get("error") in TRANSIENT_IDENTITY_PLATFORM_ERRORS:
        log.warning("identity platform could not refresh: %s", result.get("error"))
        return identity_platform_unavailable()
    current_metrics().token_cache.labels("miss").inc()
    if result and (
        result.get("suberror") == "consent_required"
        or CONSENT_REQUIRED_CODE in (result.get("error_codes") or [])
    ):
        return GraphServiceError(
            401,
            "consent_required",
            "This needs permissions you have not granted yet; sign in to consent.",
            login_url=login_url(next_path=next_path, scopes=scopes),
        )
    if claims:
        return GraphServiceError(
            401,
            "claims_challenge",
            "Microsoft asks you to sign in again.",
            login_url=login_url(next_path=next_path, claims=claims),
        )
    return GraphServiceError(
        401,
        "login_required",
        "The stored sign-in can no longer get a token; sign in again.",
        login_url=login_url(next_path=next_path, scopes=scopes),
    )


def _account_of(accounts: list[dict[str, Any]], home_account_id: str) -> dict[str, Any] | None:
    return next((a for a in accounts if a.get("home_account_id") == home_account_id), None)
