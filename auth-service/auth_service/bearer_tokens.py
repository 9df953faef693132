"""Validating the access tokens API clients send (Authorization: Bearer), as RFC 6750 asks.

A token is accepted when it is signed by one of the authority's published keys, issued by the
authority (discovery's issuer with the token's tenant, or the v1.0 sts.windows.net form) for an
allowed tenant, addressed to our API (client id or App ID URI), within its lifetime give or take
LEEWAY_SECONDS, and carries the delegated scope we require (scp) or, for an app's own token, an
app role (roles). Each refusal says why, for the WWW-Authenticate header.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

import jwt

from auth_service.authority_keys import AuthorityKeys
from signin_core.identity.assertions import token_hash

LEEWAY_SECONDS = 60
ALGORITHMS = ("RS256",)
TENANT_PLACEHOLDER = "{tenantid}"
V1_ISSUER = "https://sts.windows.net/{tenantid}/"
REQUIRED_CLAIMS = ("exp", "iss", "aud", "tid", "oid")


class BearerTokenError(Exception):
    """A token refused: RFC 6750's error code, a description, and the HTTP status to answer."""

    def __init__(self, description: str, *, error: str = "invalid_token", status: int = 401):
        super().__init__(description)
        self.error = error
        self.description = description
        self.status = status

    def challenge(self, scope: str | None = None) -> str:
        """The WWW-Authenticate value (quotes and backslashes taken out of the description)."""
        text = self.description.replace("\\", "").replace('"', "'")
        value = f'Bearer error="{self.error}", error_description="{text}"'
        return value + (f', scope="{scope}"' if scope else "")


@dataclass(frozen=True)
class BearerPrincipal:
    """Who a valid token stands for: a user (delegated) or an app (app-only), with its roles."""

    claims: dict[str, Any]
    is_app: bool
    token_hash: str

    @property
    def roles(self) -> list[str]:
        """The token's app roles."""
        roles = self.claims.get("roles") or []
        return [str(r) for r in roles] if isinstance(roles, list) else []

    def as_session_user(self) -> dict[str, Any]:
        """The principal in the shape of a session's user, for the same identity headers."""
        claims = self.claims
        oid, tid = str(claims["oid"]), str(claims["tid"])
        client = str(claims.get("azp") or claims.get("appid") or "")
        user: dict[str, Any] = {
            "home_account_id": f"{oid}.{tid}",
            "oid": oid,
            "tid": tid,
            "roles": self.roles,
            "groups": [str(g) for g in claims.get("groups") or [] if isinstance(g, str)],
            "azp": client,
        }
        if self.is_app:
            user.update(name=str(claims.get("app_displayname") or client), idtyp="app")
        else:
            user.update(
                name=str(claims.get("name") or ""),
                username=str(claims.get("preferred_username") or claims.get("upn") or ""),
            )
        return user


class BearerTokenValidator:
    """Checks tokens against the authority's keys and issuer and our API's settings."""

    def __init__(
        self,
        keys: AuthorityKeys,
        *,
        audiences: Collection[str],
        required_scope: str,
        app_roles: Collection[str] = (),
        allowed_tenants: frozenset[str] | None = None,
        leeway_seconds: int = LEEWAY_SECONDS,
    ) -> None:
        self._keys = keys
        self._audiences = list(audiences)
        self._scope = required_scope
        self._app_roles = set(app_roles)
        self._tenants = allowed_tenants
        self._leeway = leeway_seconds

    @property
    def required_scope(self) -> str:
        """The delegated scope a user's token must carry."""
        return self._scope

    def validate(self, token: str) -> BearerPrincipal:
        """The principal of a valid token, or BearerTokenError saying what is wrong."""
        claims = self._verified_claims(token)
        self._check_issuer_and_tenant(claims)
        is_app = claims.get("idtyp") == "app" or "scp" not in claims
        if is_app:
            roles = {str(r) for r in claims.get("roles") or []}
            if not roles or (self._app_roles and not roles & self._app_roles):
                wanted = ", ".join(sorted(self._app_roles)) or "any app role of this API"
                raise BearerTokenError(
                    f"the app's token has no app role this API accepts ({wanted})",
                    error="insufficient_scope",
                    status=403,
                )
        elif self._scope not in str(claims.get("scp", "")).split():
            raise BearerTokenError(
                f"the token lacks the scope {self._scope}", error="insufficient_scope", status=403
            )
        return BearerPrincipal(claims=claims, is_app=is_app, token_hash=token_hash(token))

    def _verified_claims(self, token: str) -> dict[str, Any]:
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError:
            raise BearerTokenError("the token is not a JWT") from None
        if header.get("alg") not in ALGORITHMS:
            raise BearerTokenError(f"the token's algorithm {header.get('alg')!r} is not RS256")
        key = self._keys.key_for(str(header.get("kid", "")))
        if key is None:
            raise BearerTokenError("the token is signed with a key the authority does not publish")
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                key.key,
                algorithms=list(ALGORITHMS),
                audience=self._audiences,
                leeway=self._leeway,
                options={"require": list(REQUIRED_CLAIMS)},
            )
        except jwt.InvalidSignatureError:
            raise BearerTokenError("the token's signature is invalid") from None
        except jwt.ExpiredSignatureError:
            raise BearerTokenError("the token has expired") from None
        except jwt.ImmatureSignatureError:
            raise BearerTokenError("the token is not valid yet") from None
        except jwt.InvalidAudienceError:
            raise BearerTokenError("the token is for another audience, not this API") from None
        except jwt.MissingRequiredClaimError as error:
            raise BearerTokenError(f"the token has no {error.claim} claim") from None
        except jwt.PyJWTError:
            raise BearerTokenError("the token could not be validated") from None
        return claims

    def _check_issuer_and_tenant(self, claims: dict[str, Any]) -> None:
        tenant = str(claims["tid"])
        issuer = self._keys.discovery().issuer
        if TENANT_PLACEHOLDER not in issuer:
            # A single-tenant authority: its own tenant only, in either issuer form.
            if tenant.lower() != _tenant_of(issuer):
                raise BearerTokenError("the token's issuer is not this authority")
            issuer = issuer.replace(_tenant_segment(issuer), TENANT_PLACEHOLDER)
        accepted = {issuer, V1_ISSUER}
        if str(claims["iss"]).replace(tenant, TENANT_PLACEHOLDER, 1) not in accepted:
            raise BearerTokenError("the token's issuer is not this authority")
        if self._tenants is not None and tenant.lower() not in self._tenants:
            raise BearerTokenError("the token's tenant is not allowed here")


def _tenant_segment(issuer: str) -> str:
    """The tenant part of a v2.0 issuer: https://host/<tenant>/v2.0."""
    parts = issuer.rstrip("/").split("/")
    return parts[-2] if len(parts) >= 2 and parts[-1] == "v2.0" else ""


def _tenant_of(issuer: str) -> str:
    return _tenant_segment(issuer).lower()


def default_audiences(client_id: str) -> list[str]:
    """Our API's audiences: its client id (v2.0 tokens) and api://<client id> (v1.0 tokens)."""
    return [client_id, f"api://{client_id}"]
