"""Minting signed access tokens (for Graph) and ID tokens, shaped like Entra's."""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import time
import uuid
from collections.abc import Mapping
from typing import Any

import jwt

from ms_emulator.directory_models import AppRegistration, User
from ms_emulator.key_ring import KeyRing
from ms_emulator.scopes import GRAPH_RESOURCE
from ms_emulator.signing_keys import b64url

EMULATOR_NAMESPACE = uuid.UUID("8f3c3a52-5d2e-4c1b-9b7e-6a0d1c2e3f40")
PADDING_CLAIM = "xms_emulator_size"  # random text that brings a token up to a set length


def access_token_issuer(tenant_id: str) -> str:
    """The iss of Graph access tokens (v1.0 token format, as Graph receives)."""
    return f"https://sts.windows.net/{tenant_id}/"


def pairwise_subject(user_id: str, client_id: str) -> str:
    """A per-app stable subject identifier, like Entra's sub."""
    return b64url(hashlib.sha256(f"{user_id}:{client_id.lower()}".encode()).digest())


def service_principal_id(client_id: str) -> str:
    """A stable object id for the app's service principal."""
    return str(uuid.uuid5(EMULATOR_NAMESPACE, client_id.lower()))


def client_info(user: User) -> str:
    """base64url JSON {"uid", "utid"} from which MSAL builds home_account_id."""
    raw = json.dumps({"uid": user.id, "utid": user.tenant_id}, separators=(",", ":"))
    return b64url(raw.encode())


def _common(now: int, lifetime: int) -> dict[str, Any]:
    return {
        "iat": now,
        "nbf": now,
        "exp": now + lifetime,
        "uti": b64url(secrets.token_bytes(16)),
        "aio": base64.b64encode(secrets.token_bytes(24)).decode(),
        "rh": "0.EMULATOR.",
    }


class TokenIssuer:
    """Signs tokens with the key ring's active key."""

    def __init__(self, keys: KeyRing, *, access_token_length: int = 0) -> None:
        self._keys = keys
        self._access_token_length = access_token_length  # 0: no padding

    def _signed_at_least(self, claims: dict[str, Any], length: int) -> str:
        """Sign claims, adding a random PADDING_CLAIM until the token has at least length
        characters (base64url grows by 4 characters for every 3 bytes of claims)."""
        token = self.sign(claims)
        while len(token) < length:
            missing = length - len(token)
            padding = str(claims.get(PADDING_CLAIM, ""))
            extra = max(1, (missing * 3 + 3) // 4 - (0 if padding else len(PADDING_CLAIM) + 6))
            claims = {**claims, PADDING_CLAIM: padding + secrets.token_urlsafe(extra)[:extra]}
            token = self.sign(claims)
        return token

    def sign(self, claims: dict[str, Any]) -> str:
        """Sign claims as an RS256 JWT with kid and x5t headers."""
        kid, key = self._keys.active()
        return jwt.encode(claims, key, algorithm="RS256", headers={"kid": kid, "x5t": kid})

    def delegated_access_token(
        self,
        *,
        user: User,
        app: AppRegistration,
        scp: list[str],
        lifetime: int,
        session_id: str,
        capabilities: list[str],
        client_auth_strength: str,
        authentication: Mapping[str, Any] | None = None,
    ) -> str:
        """An access token for Graph on behalf of user (authentication: its acrs and amr)."""
        now = int(time.time())
        claims = {
            **_common(now, lifetime),
            "aud": GRAPH_RESOURCE,
            "iss": access_token_issuer(user.tenant_id),
            "acct": 0,
            "acr": "1",
            "amr": ["pwd"],
            "app_displayname": app.display_name,
            "appid": app.client_id,
            "appidacr": client_auth_strength,
            "idtyp": "user",
            "family_name": user.properties.get("surname") or "",
            "given_name": user.properties.get("givenName") or "",
            "name": user.display_name,
            "oid": user.id,
            "scp": " ".join(scp),
            "sid": session_id,
            "sub": pairwise_subject(user.id, GRAPH_RESOURCE),
            "tid": user.tenant_id,
            "unique_name": user.upn,
            "upn": user.upn,
            "ver": "1.0",
        }
        if capabilities:
            claims["xms_cc"] = capabilities
        claims.update(authentication or {})
        return self._signed_at_least(claims, self._access_token_length)

    def app_access_token(
        self,
        *,
        app: AppRegistration,
        roles: list[str],
        lifetime: int,
        client_auth_strength: str,
    ) -> str:
        """An app-only access token for Graph (client credentials)."""
        now = int(time.time())
        principal = service_principal_id(app.client_id)
        claims = {
            **_common(now, lifetime),
            "aud": GRAPH_RESOURCE,
            "iss": access_token_issuer(app.tenant_id),
            "app_displayname": app.display_name,
            "appid": app.client_id,
            "appidacr": client_auth_strength,
            "idp": access_token_issuer(app.tenant_id),
            "idtyp": "app",
            "oid": principal,
            "roles": roles,
            "sub": principal,
            "tid": app.tenant_id,
            "ver": "1.0",
        }
        return self.sign(claims)

    def id_token(
        self,
        *,
        issuer: str,
        user: User,
        client_id: str,
        nonce: str | None,
        lifetime: int,
        session_id: str,
        include_email: bool,
        membership: Mapping[str, Any] | None = None,
        authentication: Mapping[str, Any] | None = None,
    ) -> str:
        """A v2.0 ID token for client_id (membership: its roles and groups claims;
        authentication: its acrs and amr)."""
        now = int(time.time())
        claims: dict[str, Any] = {
            **_common(now, lifetime),
            "aud": client_id,
            "iss": issuer,
            "name": user.display_name,
            "oid": user.id,
            "preferred_username": user.upn,
            "sid": session_id,
            "sub": pairwise_subject(user.id, client_id),
            "tid": user.tenant_id,
            "ver": "2.0",
        }
        if nonce:
            claims["nonce"] = nonce
        if include_email and user.properties.get("mail"):
            claims["email"] = user.properties["mail"]
        claims.update(membership or {})
        claims.update(authentication or {})
        return self.sign(claims)
