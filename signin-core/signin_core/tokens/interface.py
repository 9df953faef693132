"""What a service asks of the one owner of users' token caches."""

from __future__ import annotations

from typing import Protocol

import msal
from prometheus_client import Counter, Histogram


class TokenCacheOwner(Protocol):
    """Every read and write of a user's token cache: sign-in merge, tokens, sign-out."""

    def token_for(
        self, home_account_id: str, scopes: list[str], *, claims_challenge: str | None = None
    ) -> str:
        """Return an access token for scopes, refreshing under the user's lock if needed.

        Raises SignInRequiredError or IdentityPlatformUnavailableError when it cannot.
        """
        ...

    def merge_sign_in(self, home_account_id: str, signed_in: msal.SerializableTokenCache) -> None:
        """Add a sign-in's tokens to the user's stored cache, under the same lock as refreshes."""
        ...

    def delete(self, home_account_id: str) -> None:
        """Forget the user's tokens (sign-out)."""
        ...


class TokenMetrics(Protocol):
    """The metrics the owner records (a service's ServiceMetrics has them)."""

    @property
    def token_cache(self) -> Counter:
        """Lookups by event: hit, miss, refresh."""
        ...

    @property
    def refresh_lock(self) -> Counter:
        """Refresh lock outcomes: acquired or timeout."""
        ...

    @property
    def refresh_lock_wait_seconds(self) -> Histogram:
        """Time spent waiting for a user's refresh lock."""
        ...
