"""The one owner of users' token caches: open, get a token, merge a sign-in, delete.

Redis stays the truth: every use reads the user's record again, and reparses it only when it
changed since this process last saw it (another replica refreshed, or the user signed out).
Each recent user's MSAL client and parsed cache are kept per process; the access tokens
acquire_token_silent gave from a record are remembered only as long as the record stays byte
for byte the same, and only while they stay fresh. Every write that could race another (a
refresh, a sign-in's merge, resealing with a new key) is made under the user's refresh lock,
after reading the record again, and never without it: a caller that cannot take the lock in
time uses a fresh token another process stored meanwhile, or answers "retry shortly".
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import msal

from signin_core.errors import StoreUnavailableError
from signin_core.identity.msal_client import (
    IDENTITY_PLATFORM_FAILURES,
    LONGEST_TOKEN_REQUEST_SECONDS,
    ConfidentialClientFactory,
)
from signin_core.tokens.errors import IdentityPlatformUnavailableError, SignInRequiredError
from signin_core.tokens.freshness import fresh_access_token, lasts_past_decision
from signin_core.tokens.interface import TokenMetrics
from signin_core.tokens.merge import merge_token_caches
from signin_core.tokens.records import TokenCacheRecords
from signin_core.tokens.refresh_lock import RefreshLocks

log = logging.getLogger(__name__)

DEFAULT_CAPACITY = 1000
# How long a caller waits for the user's refresh lock (counting any wait for this process's
# other request of the same user): longer than a whole token request, so that a slow refresh
# elsewhere ends, and its token is used, before the wait does.
REFRESH_LOCK_WAIT_SECONDS = 35.0
# Every answer within this, under nginx's proxy_read_timeout (60 s); gunicorn's gevent and
# gthread workers do not cut long requests. A caller that takes the lock so late that a whole
# token request would not fit answers "retry shortly" rather than begin one.
ANSWER_WITHIN_SECONDS = 50.0
LATEST_REFRESH_START_SECONDS = ANSWER_WITHIN_SECONDS - LONGEST_TOKEN_REQUEST_SECONDS
CONSENT_REQUIRED_CODE = 65001
# OAuth errors that say the identity platform could not serve the request right now: the
# stored sign-in is still good, so the caller is asked to retry, not to sign in again.
TRANSIENT_IDENTITY_PLATFORM_ERRORS = frozenset({"temporarily_unavailable", "server_error"})


@dataclass(frozen=True)
class RememberedToken:
    """An access token acquire_token_silent returned, with its cache entry's times."""

    secret: str
    expires_on: int
    refresh_on: int


@dataclass
class UserClient:
    """One user's MSAL client, bound to that user's token cache object."""

    home_account_id: str
    cache: msal.SerializableTokenCache
    client: msal.ConfidentialClientApplication
    lock: threading.Lock = field(default_factory=threading.Lock)
    record: bytes | None = None  # the stored record the cache holds, as last read or written
    sealed_with_old_key: bool = False
    remembered: dict[tuple[str, ...], RememberedToken] = field(default_factory=dict)

    def remembered_token(self, scopes: list[str]) -> str | None:
        """The token remembered for scopes from the current record, if still fresh."""
        found = self.remembered.get(tuple(sorted(scopes)))
        if found is None or not lasts_past_decision(
            found.expires_on, found.refresh_on, int(time.time())
        ):
            return None
        return found.secret

    def remember(self, scopes: list[str], token: RememberedToken) -> None:
        """Remember token for scopes until the record changes."""
        self.remembered[tuple(sorted(scopes))] = token


class UserClients:
    """A bounded, least-recently-used set of UserClient, one per user."""

    def __init__(self, clients: ConfidentialClientFactory, capacity: int = DEFAULT_CAPACITY):
        self._clients = clients
        self._capacity = capacity
        self._entries: OrderedDict[str, UserClient] = OrderedDict()
        self._guard = threading.Lock()

    def entry(self, home_account_id: str) -> UserClient:
        """The user's entry, made now (with its MSAL client) if this process has none."""
        with self._guard:
            found = self._entries.get(home_account_id)
            if found is None:
                cache = msal.SerializableTokenCache()
                found = UserClient(home_account_id, cache, self._clients.build(cache))
                self._entries[home_account_id] = found
                while len(self._entries) > self._capacity:
                    self._entries.popitem(last=False)
            else:
                self._entries.move_to_end(home_account_id)
            return found


class StoredTokenCaches:
    """Users' token caches kept as sealed records, with one write protocol: under the lock."""

    def __init__(
        self,
        records: TokenCacheRecords,
        locks: RefreshLocks,
        clients: ConfidentialClientFactory,
        metrics: TokenMetrics,
        *,
        capacity: int = DEFAULT_CAPACITY,
        refresh_lock_wait_seconds: float = REFRESH_LOCK_WAIT_SECONDS,
    ) -> None:
        self._records = records
        self._locks = locks
        self._user_clients = UserClients(clients, capacity)
        self._metrics = metrics
        self._lock_wait = refresh_lock_wait_seconds

    def token_for(
        self, home_account_id: str, scopes: list[str], *, claims_challenge: str | None = None
    ) -> str:
        """Return an access token for scopes; refresh under the user's lock when one is needed."""
        started = time.monotonic()
        try:
            with self._open(home_account_id, wait_seconds=self._lock_wait) as entry:
                if entry is None:
                    # This process's other request for the user still holds its client (a
                    # slow refresh): take what the store holds now, never refresh beside it.
                    self._metrics.refresh_lock.labels("timeout").inc()
                    stored = self._records.load(home_account_id).cache
                    return self._token_stored_meanwhile(
                        stored, home_account_id, scopes, claims_challenge
                    )
                if claims_challenge is None and not entry.sealed_with_old_key:
                    token = entry.remembered_token(scopes) or self._fresh_token(entry, scopes)
                    if token is not None:
                        self._metrics.token_cache.labels("hit").inc()
                        return token
                waited = time.monotonic() - started
                with self._locked(home_account_id, self._lock_wait - waited) as taken:
                    # Reload: another process may have refreshed and saved while we waited,
                    # and its rotated refresh token wins.
                    self._reload(entry)
                    if not taken:
                        return self._token_stored_meanwhile(
                            entry.cache, home_account_id, scopes, claims_challenge
                        )
                    late = time.monotonic() - started > LATEST_REFRESH_START_SECONDS
                    if late and self._needs_refresh(entry, scopes, claims_challenge):
                        log.warning("refresh lock taken too late to refresh within the answer")
                        raise IdentityPlatformUnavailableError("refresh_lock_taken_late")
                    token, refreshed = self._acquire_silently(entry, scopes, claims_challenge)
                    self._metrics.token_cache.labels("refresh" if refreshed else "hit").inc()
                    return token
        except IDENTITY_PLATFORM_FAILURES as error:
            log.warning("identity platform did not answer: %s", type(error).__name__)
            raise IdentityPlatformUnavailableError(type(error).__name__) from error

    def merge_sign_in(self, home_account_id: str, signed_in: msal.SerializableTokenCache) -> None:
        """Add a sign-in's tokens to the stored cache (the sign-in's win), under the lock.

        Raises StoreUnavailableError if the lock stays taken for the whole wait.
        """
        with self._locked(home_account_id, self._lock_wait) as taken:
            if not taken:
                raise StoreUnavailableError("the user's refresh lock stayed taken")
            stored = self._records.load(home_account_id)
            self._records.write(home_account_id, merge_token_caches(stored.cache, signed_in))

    def delete(self, home_account_id: str) -> None:
        """Remove the user's stored cache; every process reloads (empty) at its next use."""
        self._records.delete(home_account_id)

    @contextmanager
    def _open(self, home_account_id: str, *, wait_seconds: float) -> Iterator[UserClient | None]:
        """Hold the user's client, with its cache brought up to date from the store; None if
        another request of this process holds it for all of wait_seconds."""
        entry = self._user_clients.entry(home_account_id)
        if not entry.lock.acquire(timeout=max(0.0, wait_seconds)):
            yield None
            return
        try:
            self._reload(entry)
            yield entry
        finally:
            entry.lock.release()

    @contextmanager
    def _locked(self, home_account_id: str, wait_seconds: float) -> Iterator[bool]:
        waited_from = time.perf_counter()
        with self._locks.hold(home_account_id, wait_seconds=max(0.0, wait_seconds)) as taken:
            self._metrics.refresh_lock_wait_seconds.observe(time.perf_counter() - waited_from)
            self._metrics.refresh_lock.labels("acquired" if taken else "timeout").inc()
            yield taken

    def _reload(self, entry: UserClient) -> None:
        record, sealed_with_old_key = self._records.reload_into(
            entry.home_account_id, entry.cache, entry.record
        )
        if record != entry.record:
            entry.sealed_with_old_key = sealed_with_old_key
            entry.remembered.clear()
        entry.record = record

    def _save(self, entry: UserClient) -> bool:
        """Write the cache if MSAL changed it (or it was sealed with an old key)."""
        if not (entry.cache.has_state_changed or entry.sealed_with_old_key):
            return False
        entry.record = self._records.write(entry.home_account_id, entry.cache)
        entry.remembered.clear()
        entry.cache.has_state_changed = False
        entry.sealed_with_old_key = False
        return True

    def _token_stored_meanwhile(
        self,
        cache: msal.SerializableTokenCache,
        home_account_id: str,
        scopes: list[str],
        claims_challenge: str | None,
    ) -> str:
        """Without the lock: an access token MSAL would use as it is, read from cache (MSAL
        is not asked: it could refresh), else IdentityPlatformUnavailableError."""
        usable = None
        if claims_challenge is None:
            usable = fresh_access_token(
                cache,
                home_account_id=home_account_id,
                client_id=self._records.client_id,
                scopes=scopes,
                window=0,
            )
        if usable is None:
            log.warning("refresh lock not taken in time, and no fresh token stored meanwhile")
            raise IdentityPlatformUnavailableError("refresh_lock_timeout")
        self._metrics.token_cache.labels("hit").inc()
        return str(usable["secret"])

    def _needs_refresh(
        self, entry: UserClient, scopes: list[str], claims_challenge: str | None
    ) -> bool:
        """True if acquire_token_silent would have to ask the identity platform."""
        if claims_challenge is not None:
            return True
        usable = fresh_access_token(
            entry.cache,
            home_account_id=entry.home_account_id,
            client_id=self._records.client_id,
            scopes=scopes,
            window=0,
        )
        return usable is None

    def _fresh_token(self, entry: UserClient, scopes: list[str]) -> str | None:
        """acquire_token_silent's token when the cache holds a fresh one (no refresh), else None."""
        fresh = fresh_access_token(
            entry.cache,
            home_account_id=entry.home_account_id,
            client_id=self._records.client_id,
            scopes=scopes,
        )
        if fresh is None:
            return None
        token = self._acquire_silently(entry, scopes, None)[0]
        if token == fresh["secret"]:
            expires_on = int(fresh["expires_on"])
            entry.remember(
                scopes, RememberedToken(token, expires_on, int(fresh.get("refresh_on", expires_on)))
            )
        return token

    def _acquire_silently(
        self, entry: UserClient, scopes: list[str], claims_challenge: str | None
    ) -> tuple[str, bool]:
        account = _account_of(entry.client.get_accounts(), entry.home_account_id)
        if account is None:
            raise SignInRequiredError("no_stored_tokens")
        result = entry.client.acquire_token_silent_with_error(
            scopes, account, claims_challenge=claims_challenge
        )
        saved = self._save(entry)
        if result and "access_token" in result:
            return str(result["access_token"]), saved
        raise self._why_no_token(result, scopes, claims_challenge)

    def _why_no_token(
        self, result: dict[str, Any] | None, scopes: list[str], claims: str | None
    ) -> Exception:
        if result and result.get("error") in TRANSIENT_IDENTITY_PLATFORM_ERRORS:
            log.warning("identity platform could not refresh: %s", result.get("error"))
            return IdentityPlatformUnavailableError(str(result.get("error")))
        self._metrics.token_cache.labels("miss").inc()
        if result and (
            result.get("suberror") == "consent_required"
            or CONSENT_REQUIRED_CODE in (result.get("error_codes") or [])
        ):
            return SignInRequiredError("consent_required", scopes=tuple(scopes))
        if claims:
            return SignInRequiredError("claims_challenge", claims=claims)
        return SignInRequiredError("login_required", scopes=tuple(scopes))


def _account_of(accounts: list[dict[str, Any]], home_account_id: str) -> dict[str, Any] | None:
    return next((a for a in accounts if a.get("home_account_id") == home_account_id), None)
