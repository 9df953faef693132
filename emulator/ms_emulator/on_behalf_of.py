"""The on-behalf-of grant: an API trades the access token it received for one to call onward.

grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer with requested_token_use=on_behalf_of.
The assertion must be a user's token, signed by the emulator, unexpired, and addressed to the
confidential client presenting it (its client id or an App ID URI); the client must hold consent
for the scopes it asks for, as Entra requires.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

import jwt

from ms_emulator.aad_errors import AadError, invalid_grant
from ms_emulator.claims_request import parse_claims
from ms_emulator.client_auth import AuthenticatedClient
from ms_emulator.grants import DelegatedGrant
from ms_emulator.scopes import OIDC_SCOPES
from ms_emulator.state import current_state
from ms_emulator.tenant_resolution import TenantScope
from ms_emulator.token_grants import (
    requested_scopes,
    require_confidential,
    required,
    usable_user,
)
from ms_emulator.token_issuer import access_token_issuer
from ms_emulator.token_responses import delegated_response

JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer"
ON_BEHALF_OF = "on_behalf_of"


def _verified_assertion(assertion: str, client: AuthenticatedClient) -> dict[str, Any]:
    """The assertion's claims once its signature, lifetime and audience check out."""
    try:
        kid = str(jwt.get_unverified_header(assertion).get("kid", ""))
    except jwt.PyJWTError:
        raise invalid_grant(50027, "JWT token is invalid or malformed.") from None
    key = current_state().keys.public_key(kid)
    if key is None:
        raise invalid_grant(
            50013,
            "Assertion failed signature validation. [Reason - The key was not found., "
            f"Thumbprint of key used by client: '{kid}']",
        )
    try:
        claims: dict[str, Any] = jwt.decode(
            assertion,
            key,
            algorithms=["RS256"],
            options={"verify_aud": False, "require": ["exp", "nbf", "iss", "tid", "aud"]},
        )
    except jwt.ExpiredSignatureError:
        raise invalid_grant(
            500133,
            "Assertion is not within its valid time range. Ensure that the access token is "
            "not expired before using it for user assertion, or request a new token. "
            f"Current time: {int(time.time())}.",
        ) from None
    except jwt.ImmatureSignatureError:
        raise invalid_grant(500133, "Assertion is not within its valid time range.") from None
    except jwt.InvalidSignatureError:
        raise invalid_grant(50013, "Assertion failed signature validation.") from None
    except jwt.PyJWTError as error:
        raise invalid_grant(50013, f"Assertion is invalid: {error}.") from None
    if not client.app.is_named_by(str(claims["aud"])):
        raise invalid_grant(
            50013,
            "Assertion audience does not match the Client app presenting the assertion. "
            f"The audience in the assertion was '{claims['aud']}' and the expected audience "
            f"is '{client.app.client_id}' or one of the Application Id URIs of this "
            "application.",
        )
    return claims


def _check_issuer_and_user_token(claims: Mapping[str, Any]) -> None:
    """Refuse assertions from unknown tenants or issuers, and app-only tokens."""
    tenant_id = str(claims["tid"])
    issuer = str(claims["iss"])
    known = current_state().directory.tenant(tenant_id) is not None
    if not known or not (
        issuer.endswith(f"/{tenant_id}/v2.0") or issuer == access_token_issuer(tenant_id)
    ):
        raise invalid_grant(50013, f"Assertion contains an invalid issuer '{issuer}'.")
    if claims.get("idtyp") == "app" or not claims.get("scp") or not claims.get("oid"):
        raise invalid_grant(
            50013,
            "Assertion is an app-only token; the on-behalf-of flow needs a token issued to a "
            "user (with scp).",
        )


def on_behalf_of_grant(
    form: Mapping[str, str], client: AuthenticatedClient, tenant: TenantScope
) -> dict[str, Any]:
    """A token for the assertion's user, for the resource the scope names (usually Graph)."""
    use = required(form, "requested_token_use")
    if use != ON_BEHALF_OF:
        raise AadError(
            "invalid_request",
            90027,
            f"requested_token_use '{use}' is not supported; use on_behalf_of.",
        )
    assertion = required(form, "assertion")
    required(form, "scope")
    require_confidential(client)
    claims = _verified_assertion(assertion, client)
    _check_issuer_and_user_token(claims)
    user = usable_user(str(claims["oid"]), tenant)
    revoked_at = current_state().directory.revoked_at(user.id)
    if revoked_at is not None and int(claims.get("iat", 0)) < revoked_at:
        raise invalid_grant(
            50173, "The provided grant has expired due to it being revoked (sign-in sessions)."
        )
    requested = requested_scopes(form)
    consented = current_state().directory.consented_scopes(client.app.client_id, user.id)
    wanted = requested.graph | requested.api_scopes
    if not wanted <= consented or (requested.wants_default and not consented - set(OIDC_SCOPES)):
        raise invalid_grant(
            65001,
            "The user or administrator has not consented to use the application with ID "
            f"'{client.app.client_id}' named '{client.app.display_name}'. Send an interactive "
            "authorization request for this user and resource.",
            suberror="consent_required",
        )
    grant = DelegatedGrant(
        client_id=client.app.client_id,
        user_id=user.id,
        tenant_id=user.tenant_id,
        scopes=requested.canonical,
        full_form=requested.full_form,
        auth_time=int(claims.get("iat", time.time())),
        session_id=str(claims.get("sid", "")),
    )
    return delegated_response(
        client=client,
        grant=grant,
        user=user,
        requested=requested.canonical,
        claims=parse_claims(form.get("claims")),
        nonce=None,
        family_id=None,
        want_client_info=form.get("client_info") == "1",
        api=requested.api,
    )
