"""Each recent user's MSAL client and parsed token cache, reused across requests in a process.

Redis stays the truth: every use reads the user's record again, and reparses it only when it
changed since this process last saw it (another replica refreshed, or the user signed out).
The access tokens acquire_token_silent gave from a record are remembered only as long as the
record stays byte for byte the same, and only while they stay fresh.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import msal

from signin_state.msal_client import ConfidentialClientFactory
from signin_state.token_caches import UserTokenCaches
from signin_state.token_freshness import lasts_past_decision

DEFAULT_CAPACITY = 1000


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
    """A bounded, least-recently-used set of UserClient, one per user, each used by one thread."""

    def __init__(
        self,
        caches: UserTokenCaches,
        clients: ConfidentialClientFactory,
        capacity: int = DEFAULT_CAPACITY,
    ) -> None:
        self._caches = caches
        self._clients = clients
        self._capacity = capacity
        self._entries: OrderedDict[str, UserClient] = OrderedDict()
        self._guard = threading.Lock()

    def _entry(self, home_account_id: str) -> UserClient:
        with self._guard:
            entry = self._entries.get(home_account_id)
            if entry is None:
                cache = msal.SerializableTokenCache()
                entry = UserClient(home_account_id, cache, self._clients.build(cache))
                self._entries[home_account_id] = entry
                while len(self._entries) > self._capacity:
                    self._entries.popitem(last=False)
            else:
                self._entries.move_to_end(home_account_id)
            return entry

    @contextmanager
    def use(self, home_account_id: str) -> Iterator[UserClient]:
        """Hold the user's client, with its cache brought up to date from the store."""
        entry = self._entry(home_account_id)
        with entry.lock:
            self.reload(entry)
            yield entry

    def reload(self, entry: UserClient) -> None:
        """Bring entry's cache up to date with the stored record."""
        record, old_key = self._caches.reload_into(entry.home_account_id, entry.cache, entry.record)
        if record != entry.record:
            entry.sealed_with_old_key = old_key
            entry.remembered.clear()
        entry.record = record

    def save(self, entry: UserClient) -> bool:
        """Write the cache if MSAL changed it (or it was sealed with an old key)."""
        if not (entry.cache.has_state_changed or entry.sealed_with_old_key):
            return False
        entry.record = self._caches.write(entry.home_account_id, entry.cache)
        entry.remembered.clear()
        entry.cache.has_state_changed = False
        entry.sealed_with_old_key = False
        return True
