"""What a service asks of the one owner of users' token caches."""

from __future__ import annotations

from typing import Protocol

import msal


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
