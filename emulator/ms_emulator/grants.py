"""What an authorization code or refresh token stands for."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DelegatedGrant:
    """A user's delegation to a client, as carried by a code or refresh token."""

    client_id: str
    user_id: str
    tenant_id: str
    scopes: frozenset[str]
    full_form: bool
    auth_time: int
    session_id: str
    # Step-up: the authentication contexts the sign-in satisfied, and its methods.
    acrs: tuple[str, ...] = ()
    amr: tuple[str, ...] = ("pwd",)
    # When set (an SPA's sign-in), no refresh token of this grant outlives it.
    refresh_expires_at: float | None = None


@dataclass(frozen=True)
class CodeRecord:
    """An issued authorization code."""

    grant: DelegatedGrant
    redirect_uri: str
    nonce: str | None
    code_challenge: str | None
    code_challenge_method: str | None
    expires_at: float
    redeemed: bool = False
