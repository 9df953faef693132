"""Names of the keys the stack writes, all under one namespace."""

from __future__ import annotations

NAMESPACE = "signin"


def session_key(session_name: str) -> str:
    """Key of one browser session: session_name is a keyed hash of its id, never the id."""
    return f"{NAMESPACE}:session:{session_name}"


def user_key_prefix(home_account_id: str) -> str:
    """Prefix of a user's keys; the braces keep a user's keys on one Cluster slot."""
    return f"{NAMESPACE}:{{user:{home_account_id}}}"


def token_cache_key(client_id: str, home_account_id: str) -> str:
    """Key of one user's MSAL token cache."""
    return f"{user_key_prefix(home_account_id)}:tokencache:{client_id}"


def sign_in_key(home_account_id: str) -> str:
    """Key of the user's current sign-in: what every session and token cache must match."""
    return f"{user_key_prefix(home_account_id)}:sign-in"


def session_index_key(home_account_id: str) -> str:
    """Key of the user's index of signed-in sessions (device, address, times, keyed names)."""
    return f"{user_key_prefix(home_account_id)}:sessions"


def identity_session_key(sid_name: str) -> str:
    """Key of the user behind an identity platform session: sid_name is a keyed hash of its sid."""
    return f"{NAMESPACE}:identity-session:{sid_name}"
