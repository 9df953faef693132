"""Names of the keys the stack writes, all under one namespace."""

from __future__ import annotations

NAMESPACE = "signin"


def session_key(session_id: str) -> str:
    """Key of one browser session."""
    return f"{NAMESPACE}:session:{session_id}"


def token_cache_key(client_id: str, home_account_id: str) -> str:
    """Key of one user's MSAL token cache; the braces keep a user's keys on one Cluster slot."""
    return f"{NAMESPACE}:{{user:{home_account_id}}}:tokencache:{client_id}"
