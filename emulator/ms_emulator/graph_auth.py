"""Validating the bearer token of a Graph request, like Graph does."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import jwt
from flask import request

from ms_emulator.claims_request import revocation_challenge
from ms_emulator.directory_models import User
from ms_emulator.fault_responses import apply_faults
from ms_emulator.graph_errors import forbidden, unauthenticated
from ms_emulator.scopes import GRAPH_AUDIENCES
from ms_emulator.state import current_state
from ms_emulator.token_issuer import access_token_issuer


class FaultResponse(Exception):
    """Carries an injected fault's response out of request handling."""

    def __init__(self, response: Any) -> None:
        super().__init__("injected fault")
        self.response = response


@dataclass(frozen=True)
class GraphCaller:
    """Who is calling Graph and with which permissions."""

    claims: dict[str, Any]
    tenant_id: str
    user: User | None
    scopes: frozenset[str]
    roles: frozenset[str]

    def require(self, delegated: Iterable[str], application: Iterable[str]) -> None:
        """Raise 403 unless the token carries one of the permissions (case-insensitive)."""
        granted = self.scopes if self.user else self.roles
        wanted = {p.lower() for p in (delegated if self.user else application)}
        if not granted & wanted:
            raise forbidden()


def _decoded_claims(token: str) -> dict[str, Any]:
    """Verify signature, audience and lifetime, mapping failures to Graph's messages."""
    try:
        kid = str(jwt.get_unverified_header(token).get("kid", ""))
    except jwt.PyJWTError:
        raise unauthenticated("CompactToken parsing failed with error code: 80049217") from None
    key = current_state().keys.public_key(kid)
    if key is None:
        raise unauthenticated("Access token validation failure. Invalid signing key.")
    try:
        return jwt.decode(
            token,
            key,
            algorithms=["RS256"],
            audience=list(GRAPH_AUDIENCES),
            options={"require": ["exp", "iat", "nbf", "iss", "tid"]},
        )
    except jwt.ExpiredSignatureError:
        raise unauthenticated("Lifetime validation failed, the token is expired.") from None
    except jwt.ImmatureSignatureError:
        raise unauthenticated("Lifetime validation failed, the token is not yet valid.") from None
    except jwt.InvalidAudienceError:
        raise unauthenticated("Access token validation failure. Invalid audience.") from None
    except jwt.PyJWTError:
        raise unauthenticated("Access token validation failure.") from None


def _check_revocation(claims: dict[str, Any], user: User) -> None:
    """Continuous access evaluation: challenge CAE-capable tokens issued before a revocation."""
    revoked_at = current_state().directory.revoked_at(user.id)
    capable = "cp1" in (claims.get("xms_cc") or [])
    if capable and revoked_at is not None and claims["iat"] < revoked_at:
        challenge = f', error="insufficient_claims", claims="{revocation_challenge(revoked_at)}"'
        raise unauthenticated(
            "Continuous access evaluation resulted in challenge with result: "
            "InteractionRequired and code: TokenIssuedBeforeRevocationTimestamp",
            challenge,
        )


def authenticate_caller() -> GraphCaller:
    """The validated caller of this request, or a GraphError (401) / injected fault."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise unauthenticated("Access token is empty.")
    claims = _decoded_claims(token.strip())
    tenant = current_state().directory.tenant(str(claims["tid"]))
    if tenant is None or claims["iss"] != access_token_issuer(tenant.id):
        raise unauthenticated("Access token validation failure. Invalid issuer.")
    user = None
    if claims.get("idtyp") != "app":
        user = current_state().directory.user(str(claims.get("oid", "")))
        if user is None or not user.enabled:
            raise unauthenticated("The user account does not exist or is disabled.")
        _check_revocation(claims, user)
        fault = apply_faults("graph", user.upn)
        if fault is not None:
            raise FaultResponse(fault)
    return GraphCaller(
        claims=claims,
        tenant_id=tenant.id,
        user=user,
        scopes=frozenset(s.lower() for s in str(claims.get("scp", "")).split()),
        roles=frozenset(str(r).lower() for r in claims.get("roles", [])),
    )
