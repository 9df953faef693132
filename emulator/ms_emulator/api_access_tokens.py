"""Access tokens for a registered API (not Graph): the v2.0 format Entra issues to APIs.

An API whose manifest says accessTokenAcceptedVersion=2 receives tokens whose aud is its client
id and whose iss is the tenant's v2.0 issuer; delegated tokens carry scp (and the user's app roles
for the API), app-only tokens carry roles and idtyp "app".
"""

from __future__ import annotations

import time
from typing import Any

from ms_emulator.directory_models import AppRegistration, User
from ms_emulator.token_issuer import (
    TokenIssuer,
    _common,
    pairwise_subject,
    service_principal_id,
)


def delegated_api_token(
    issuer: TokenIssuer,
    *,
    token_issuer: str,
    user: User,
    client: AppRegistration,
    api: AppRegistration,
    scp: list[str],
    roles: list[str],
    lifetime: int,
    session_id: str,
    client_auth_strength: str,
    authentication: dict[str, Any] | None = None,
) -> str:
    """A v2.0 access token for api, used by client on behalf of user (authentication: the
    sign-in's amr and acrs)."""
    now = int(time.time())
    claims: dict[str, Any] = {
        **_common(now, lifetime),
        "aud": api.client_id,
        "iss": token_issuer,
        "azp": client.client_id,
        "azpacr": client_auth_strength,
        "idtyp": "user",
        "name": user.display_name,
        "oid": user.id,
        "preferred_username": user.upn,
        "scp": " ".join(scp),
        "sid": session_id,
        "sub": pairwise_subject(user.id, api.client_id),
        "tid": user.tenant_id,
        "ver": "2.0",
    }
    if roles:
        claims["roles"] = roles
    claims.update(authentication or {})
    return issuer.sign(claims)


def app_only_api_token(
    issuer: TokenIssuer,
    *,
    token_issuer: str,
    client: AppRegistration,
    api: AppRegistration,
    roles: list[str],
    lifetime: int,
    client_auth_strength: str,
) -> str:
    """A v2.0 app-only access token for api (client credentials with <App ID URI>/.default)."""
    now = int(time.time())
    principal = service_principal_id(client.client_id)
    claims: dict[str, Any] = {
        **_common(now, lifetime),
        "aud": api.client_id,
        "iss": token_issuer,
        "azp": client.client_id,
        "azpacr": client_auth_strength,
        "idtyp": "app",
        "oid": principal,
        "sub": principal,
        "tid": client.tenant_id,
        "ver": "2.0",
    }
    if roles:
        claims["roles"] = roles
    return issuer.sign(claims)
