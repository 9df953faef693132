"""The grant types of the token endpoint."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import request

from ms_emulator.aad_errors import AadError, invalid_grant, invalid_request
from ms_emulator.browser_clients import is_spa_redirect, require_cross_origin, spa_grant
from ms_emulator.claims_request import ClaimsRequest, parse_claims
from ms_emulator.client_auth import PUBLIC_CLIENT, AuthenticatedClient
from ms_emulator.directory_models import AppRegistration, User
from ms_emulator.pkce import verifier_matches
from ms_emulator.redirect_uris import is_registered
from ms_emulator.refresh_tokens import RefreshRecord
from ms_emulator.scopes import ScopeError, ScopeRequest, parse_scopes
from ms_emulator.second_factor import needs_second_factor
from ms_emulator.state import current_state
from ms_emulator.tenant_resolution import TenantScope
from ms_emulator.token_responses import app_only_response, delegated_response


def required(form: Mapping[str, str], name: str) -> str:
    """A required form parameter, or AADSTS900144."""
    value = form.get(name, "")
    if not value:
        raise invalid_request(
            900144, f"The request body must contain the following parameter: '{name}'."
        )
    return value


def requested_scopes(form: Mapping[str, str]) -> ScopeRequest:
    """Parse the scope parameter (it may be absent for code redemption)."""
    return checked_scopes(form.get("scope", ""))


def checked_scopes(raw: str) -> ScopeRequest:
    """Parse scopes (Graph, OIDC, registered APIs'), or raise invalid_scope like Entra."""
    try:
        return parse_scopes(raw, current_state().directory.exposed_api)
    except ScopeError as error:
        raise AadError("invalid_scope", error.code, str(error)) from None


def resource_api(requested: ScopeRequest, granted: frozenset[str]) -> AppRegistration | None:
    """The registered API the token is for: the request's scopes, else the grant's."""
    if requested.api is not None or requested.graph or requested.wants_default:
        return requested.api
    return checked_scopes(" ".join(sorted(granted))).api


def require_confidential(client: AuthenticatedClient) -> None:
    """Refuse a public client (no secret or assertion) a grant for confidential ones only."""
    if client.strength == PUBLIC_CLIENT:
        raise AadError(
            "invalid_client",
            7000218,
            "The request body must contain the following "
            "parameter: 'client_assertion' or 'client_secret'.",
            status=401,
        )


def usable_user(user_id: str, tenant: TenantScope) -> User:
    """The grant's user, unless deleted, disabled or outside the addressed tenant."""
    user = current_state().directory.user(user_id)
    if user is None or not user.enabled or not tenant.admits(user.tenant_id):
        raise invalid_grant(
            50173,
            "The provided grant has expired due to it being revoked, a "
            "fresh auth token is needed. The user may have been deleted or "
            "disabled.",
        )
    return user


def authorization_code_grant(
    form: Mapping[str, str], client: AuthenticatedClient, tenant: TenantScope
) -> dict[str, Any]:
    """Redeem a code: single use, unexpired, same redirect URI, PKCE verified."""
    code = required(form, "code")
    redirect_uri = required(form, "redirect_uri")
    if not is_registered(redirect_uri, (*client.app.redirect_uris, *client.app.spa_redirect_uris)):
        raise invalid_grant(
            50011,
            f"The redirect URI '{redirect_uri}' specified in the request "
            "does not match the redirect URIs configured for the application "
            f"'{client.app.client_id}'.",
        )
    record = current_state().codes.redeem(code, client.app.client_id)
    if redirect_uri != record.redirect_uri:
        raise invalid_grant(
            500112,
            f"The reply address '{redirect_uri}' does not match the "
            f"reply address '{record.redirect_uri}' provided when requesting "
            "Authorization code.",
        )
    if record.code_challenge and not verifier_matches(
        form.get("code_verifier", ""), record.code_challenge, record.code_challenge_method
    ):
        raise invalid_grant(
            501481,
            "The Code_Verifier does not match the code_challenge "
            "supplied in the authorization request.",
        )
    if client.strength == PUBLIC_CLIENT and not record.code_challenge:
        raise invalid_request(
            9002325, "Proof Key for Code Exchange is required for public clients."
        )
    grant = record.grant
    if is_spa_redirect(client.app, redirect_uri):
        grant = spa_grant(record, request.headers)
    user = usable_user(record.grant.user_id, tenant)
    requested = requested_scopes(form)
    return delegated_response(
        client=client,
        grant=grant,
        user=user,
        requested=requested.canonical,
        claims=parse_claims(form.get("claims")),
        nonce=record.nonce,
        family_id=None,
        want_client_info=form.get("client_info") == "1",
        api=resource_api(requested, record.grant.scopes),
    )


def _refuse_unless_grantable(
    record: RefreshRecord,
    client: AuthenticatedClient,
    tenant: TenantScope,
    scopes: frozenset[str],
    claims: ClaimsRequest,
) -> None:
    """Raise the error Entra gives when a refresh needs new consent or a fresher sign-in."""
    if record.grant.client_id.lower() != client.app.client_id.lower():
        return  # use() answers this case
    user = usable_user(record.grant.user_id, tenant)
    min_auth_time = claims.min_auth_time
    if min_auth_time and record.grant.auth_time < min_auth_time:
        raise AadError(
            "invalid_grant",
            50173,
            "The provided grant has expired due to it being "
            "revoked, a fresh auth token is needed (claims challenge).",
            suberror="bad_token",
        )
    if needs_second_factor(claims) and "mfa" not in record.grant.amr:
        raise AadError(
            "invalid_grant",
            50076,
            "Due to a configuration change made by your administrator, or because you moved "
            "to a new location, you must use multi-factor authentication to access "
            f"'{client.app.client_id}'.",
            suberror="basic_action",
        )
    consented = current_state().directory.consented_scopes(client.app.client_id, user.id)
    if not scopes <= consented:
        raise invalid_grant(
            65001,
            "The user or administrator has not consented to use the "
            f"application with ID '{client.app.client_id}'. Send an interactive "
            "authorization request for this user and resource.",
            suberror="consent_required",
        )


def refresh_token_grant(
    form: Mapping[str, str], client: AuthenticatedClient, tenant: TenantScope
) -> dict[str, Any]:
    """Rotate a refresh token; a reused one revokes its family."""
    token = required(form, "refresh_token")
    requested = requested_scopes(form)
    claims = parse_claims(form.get("claims"))
    # A request refused for consent or claims leaves its refresh token unused, as Entra does;
    # only a token that would be redeemed is consumed (and a reused one revokes its family).
    unused = current_state().refresh_tokens.peek(token)
    if unused is not None and unused.grant.refresh_expires_at is not None:
        require_cross_origin(request.headers)
    if unused is not None and not unused.used:
        _refuse_unless_grantable(
            unused, client, tenant, requested.graph | requested.api_scopes, claims
        )
    record = current_state().refresh_tokens.use(token, client.app.client_id)
    user = usable_user(record.grant.user_id, tenant)
    return delegated_response(
        client=client,
        grant=record.grant,
        user=user,
        requested=requested.canonical,
        claims=claims,
        nonce=None,
        family_id=record.family_id,
        want_client_info=form.get("client_info") == "1",
        api=resource_api(requested, record.grant.scopes),
    )


def client_credentials_grant(
    form: Mapping[str, str], client: AuthenticatedClient, tenant: TenantScope
) -> dict[str, Any]:
    """App-only token; the scope must be the resource's /.default."""
    scope = required(form, "scope")
    parsed = requested_scopes(form)
    if not (parsed.wants_default and parsed.full_form) or parsed.canonical:
        raise AadError(
            "invalid_scope",
            1002012,
            f"The provided value for scope {scope} is not "
            "valid. Client credential flows must have a scope value with /.default "
            "suffixed to the resource identifier (application ID URI).",
        )
    require_confidential(client)
    return app_only_response(client, parsed.api)


GRANT_HANDLERS = {
    "authorization_code": authorization_code_grant,
    "refresh_token": refresh_token_grant,
    "client_credentials": client_credentials_grant,
}
