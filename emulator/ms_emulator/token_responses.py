"""Building token endpoint responses shaped like Entra's."""

from __future__ import annotations

import dataclasses
from typing import Any

from ms_emulator.api_access_tokens import app_only_api_token, delegated_api_token
from ms_emulator.claims_request import ClaimsRequest
from ms_emulator.client_auth import AuthenticatedClient
from ms_emulator.directory_models import AppRegistration, User
from ms_emulator.grants import DelegatedGrant
from ms_emulator.membership_claims import membership_claims
from ms_emulator.scopes import GRAPH_PERMISSIONS, api_scope_key, graph_scope_names
from ms_emulator.second_factor import authentication_for
from ms_emulator.state import current_state
from ms_emulator.tenant_resolution import id_token_issuer
from ms_emulator.token_issuer import client_info, service_principal_id

OIDC_IN_SCP = ("email", "openid", "profile")
REFRESH_IN_THRESHOLD = 7200


def _lifetimes(lifetime: int) -> dict[str, int]:
    """expires_in, ext_expires_in and (for long-lived tokens, as Entra does) refresh_in."""
    times = {"expires_in": lifetime, "ext_expires_in": lifetime}
    if lifetime >= REFRESH_IN_THRESHOLD:
        times["refresh_in"] = lifetime // 2
    return times


def delegated_response(
    *,
    client: AuthenticatedClient,
    grant: DelegatedGrant,
    user: User,
    requested: frozenset[str],
    claims: ClaimsRequest,
    nonce: str | None,
    family_id: str | None,
    want_client_info: bool,
    api: AppRegistration | None = None,
) -> dict[str, Any]:
    """Access token (plus refresh token, ID token, client_info) for a user's grant.

    The access token is for Graph, or for api when the request named a registered API's scopes.
    """
    state = current_state()
    lifetime = state.settings.access_token_lifetime
    consented = state.directory.consented_scopes(client.app.client_id, user.id)
    asked = requested | grant.scopes
    authentication = authentication_claims(grant, claims)
    oidc_granted = [s for s in (*OIDC_IN_SCP, "offline_access") if s in asked]
    if api is not None:
        scope_names = _api_scope_names(api, consented)
        scope = [f"{api.api_identifier}/{name}" for name in scope_names]
        access_token = delegated_api_token(
            state.issuer,
            token_issuer=id_token_issuer(user.tenant_id),
            user=user,
            client=client.app,
            api=api,
            scp=scope_names,
            roles=state.directory.memberships.roles_of(api, user.id),
            lifetime=lifetime,
            session_id=grant.session_id,
            client_auth_strength=client.strength,
            authentication=authentication,
        )
    else:
        graph_scopes = {s for s in consented if s in GRAPH_PERMISSIONS}
        oidc_scopes = sorted(s for s in OIDC_IN_SCP if s in consented)
        scope = graph_scope_names(graph_scopes, grant.full_form)
        access_token = state.issuer.delegated_access_token(
            user=user,
            app=client.app,
            scp=oidc_scopes + graph_scope_names(graph_scopes, full_form=False),
            lifetime=lifetime,
            session_id=grant.session_id,
            capabilities=list(claims.capabilities),
            client_auth_strength=client.strength,
            authentication=authentication,
        )
    body: dict[str, Any] = {
        "token_type": "Bearer",
        "scope": " ".join(scope + oidc_granted),
        **_lifetimes(lifetime),
        "access_token": access_token,
    }
    if "offline_access" in asked:
        renewed = dataclasses.replace(grant, scopes=frozenset(asked))
        body["refresh_token"] = state.refresh_tokens.issue(renewed, family_id)
    if "openid" in asked:
        state.browser_sessions.note_issuer(
            grant.session_id, user.id, id_token_issuer(user.tenant_id)
        )
        body["id_token"] = state.issuer.id_token(
            issuer=id_token_issuer(user.tenant_id),
            user=user,
            client_id=client.app.client_id,
            nonce=nonce,
            lifetime=state.settings.id_token_lifetime,
            session_id=grant.session_id,
            include_email="email" in asked,
            membership=membership_claims(state.directory, client.app, user),
            authentication=authentication,
        )
    if want_client_info:
        body["client_info"] = client_info(user)
    return body


def authentication_claims(grant: DelegatedGrant, claims: ClaimsRequest) -> dict[str, Any]:
    """The amr and acrs (when any context is satisfied) of a user's tokens: what the sign-in
    proved, and what a token request's claims ask that it already proves."""
    done = "mfa" in grant.amr
    acrs = [*grant.acrs, *authentication_for(claims, second_factor_done=done).acrs]
    body: dict[str, Any] = {"amr": list(grant.amr)}
    if acrs:
        body["acrs"] = list(dict.fromkeys(acrs))
    return body


def _api_scope_names(api: AppRegistration, consented: set[str]) -> list[str]:
    """The API's exposed scopes (properly cased) among the consented canonical scopes."""
    return [name for name in api.api_scopes if api_scope_key(api, name) in consented]


def app_only_response(
    client: AuthenticatedClient, api: AppRegistration | None = None
) -> dict[str, Any]:
    """An app-only access token for Graph, or for api with its assigned app roles."""
    state = current_state()
    lifetime = state.settings.access_token_lifetime
    if api is not None:
        token = app_only_api_token(
            state.issuer,
            token_issuer=id_token_issuer(client.app.tenant_id),
            client=client.app,
            api=api,
            roles=state.directory.memberships.roles_of(
                api, service_principal_id(client.app.client_id)
            ),
            lifetime=lifetime,
            client_auth_strength=client.strength,
        )
    else:
        token = state.issuer.app_access_token(
            app=client.app,
            roles=list(client.app.application_permissions),
            lifetime=lifetime,
            client_auth_strength=client.strength,
        )
    return {"token_type": "Bearer", **_lifetimes(lifetime), "access_token": token}
