"""Why the token cache owner could not give a token; each service's edge says it its own way."""

from __future__ import annotations

from typing import Literal

SignInReason = Literal["no_stored_tokens", "login_required", "consent_required", "claims_challenge"]


class SignInRequiredError(Exception):
    """The stored sign-in cannot give this token: the user signs in again (to consent, or
    to answer a claims challenge), asking for scopes and claims."""

    def __init__(
        self, reason: SignInReason, *, scopes: tuple[str, ...] = (), claims: str | None = None
    ) -> None:
        super().__init__(reason)
        self.reason: SignInReason = reason
        self.scopes = scopes
        self.claims = claims


class IdentityPlatformUnavailableError(Exception):
    """The identity platform could not renew the token right now; the stored sign-in is
    still good, so the request may be retried shortly."""
