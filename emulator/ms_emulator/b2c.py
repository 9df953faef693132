"""Azure AD B2C: https://<name>.b2clogin.com/<name>.onmicrosoft.com/<user flow>/..., its
discovery, errors and ID token claims (tfp, emails, idp, sub = oid, ver 1.0).

A user flow's endpoints run the emulator's own sign-in pages and grants for the B2C tenant,
then answer as B2C does: an ID token of B2C's shape, and no access token for Graph (a user
flow issues tokens for the app itself and its own APIs only).
"""

from __future__ import annotations

import base64
import datetime
import json
import time
from typing import Any

import jwt
from flask import Blueprint, Response, current_app, jsonify, request

from ms_emulator.aad_errors import AadError
from ms_emulator.directory_models import Tenant, User
from ms_emulator.pages import error_page
from ms_emulator.state import current_state
from ms_emulator.tenant_resolution import back_channel_root, browser_root

B2C_OIDC_SCOPES = ("openid", "offline_access", "profile", "email")
REFRESH_TOKEN_LIFETIME = 14 * 24 * 3600  # B2C's default for user flows


class B2cError(AadError):
    """An error with an AADB2C code, as B2C words and shapes it."""

    @property
    def summary(self) -> str:
        """The "AADB2Cnnnnn: message" line."""
        return f"AADB2C{self.code}: {self.message}"

    def body(self, trace_id: str, correlation: str) -> dict[str, Any]:
        """B2C's JSON error: error and a description with correlation id and time."""
        stamp = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M:%SZ")
        description = f"{self.summary}\r\nCorrelation ID: {correlation}\r\nTimestamp: {stamp}\r\n"
        return {"error": self.error, "error_description": description}


def b2c_tenant(segment: str, policy: str) -> tuple[Tenant, str]:
    """The B2C tenant and the user flow's registered name, or B2C's "no metadata" error."""
    tenant = current_state().directory.tenant(segment)
    flow = None
    if tenant is not None and tenant.kind == "b2c":
        flow = next((f for f in tenant.user_flows if f.lower() == policy.lower()), None)
    if tenant is None or flow is None:
        raise B2cError(
            "invalid_request",
            90022,
            f"Unable to return metadata for the policy '{policy}' in tenant '{segment}'.",
            status=404,
        )
    return tenant, flow


def b2c_issuer(tenant: Tenant) -> str:
    """B2C's issuer: the host, the tenant id and v2.0, with a trailing slash."""
    return f"{back_channel_root()}/{tenant.id}/v2.0/"


def b2c_configuration(tenant: Tenant, flow: str) -> dict[str, Any]:
    """A user flow's OpenID Connect discovery document."""
    base = f"{tenant.domain}/{flow.lower()}"
    root, browser = back_channel_root(), browser_root()
    return {
        "issuer": b2c_issuer(tenant),
        "authorization_endpoint": f"{browser}/{base}/oauth2/v2.0/authorize",
        "token_endpoint": f"{root}/{base}/oauth2/v2.0/token",
        "end_session_endpoint": f"{browser}/{base}/oauth2/v2.0/logout",
        "jwks_uri": f"{root}/{base}/discovery/v2.0/keys",
        "response_modes_supported": ["query", "fragment", "form_post"],
        "response_types_supported": ["code", "code id_token", "id_token"],
        "scopes_supported": ["openid"],
        "subject_types_supported": ["pairwise"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "token_endpoint_auth_methods_supported": ["client_secret_post", "client_secret_basic"],
        "claims_supported": [
            *("name", "given_name", "family_name", "emails", "idp", "oid", "sub", "tfp"),
            *("iss", "iat", "exp", "aud", "acr", "nonce", "auth_time"),
        ],
    }


def refused_scope(scopes: str, client_id: str) -> B2cError | None:
    """B2C's error for a scope a user flow cannot grant (Graph's, for one), else None."""
    for scope in scopes.split():
        if scope.lower() not in B2C_OIDC_SCOPES and scope.lower() != client_id.lower():
            return B2cError(
                "invalid_scope", 90012, f"The scope '{scope}' provided in request is not supported."
            )
    return None


def b2c_id_token(entra_id_token: str, tenant: Tenant, flow: str) -> tuple[str, User]:
    """Turn the emulator's ID token for a B2C user into the one B2C issues."""
    entra = jwt.decode(entra_id_token, options={"verify_signature": False})
    user = current_state().directory.user(str(entra["oid"]))
    if user is None:
        raise B2cError("invalid_grant", 90088, "The provided grant has not been issued.")
    claims: dict[str, Any] = {
        "exp": entra["exp"],
        "nbf": entra["nbf"],
        "ver": "1.0",
        "iss": b2c_issuer(tenant),
        "sub": user.id,  # a user flow's default subject is the object id
        "aud": entra["aud"],
        "iat": entra["iat"],
        "auth_time": entra["iat"],
        "oid": user.id,
        "name": user.display_name,
        "emails": [user.properties.get("mail") or user.upn],
        "tfp": flow,
    }
    for claim, name in (("given_name", "givenName"), ("family_name", "surname")):
        if user.properties.get(name):
            claims[claim] = user.properties[name]
    if user.properties.get("identityProvider"):
        claims["idp"] = user.properties["identityProvider"]  # a social account's provider
    if entra.get("nonce"):
        claims["nonce"] = entra["nonce"]
    return current_state().issuer.sign(claims), user


def b2c_client_info(user: User, flow: str) -> str:
    """B2C's client_info: uid is the object id and the user flow."""
    raw = json.dumps({"uid": f"{user.id}-{flow.lower()}", "utid": user.tenant_id})
    return base64.urlsafe_b64encode(raw.encode()).rstrip(b"=").decode()


def b2c_token_body(entra: dict[str, Any], tenant: Tenant, flow: str) -> dict[str, Any]:
    """The token response of a user flow, built from the emulator's own."""
    now = int(time.time())
    lifetime = current_state().settings.id_token_lifetime
    body: dict[str, Any] = {"token_type": "Bearer", "not_before": now}
    if "id_token" in entra:
        body["id_token"], user = b2c_id_token(entra["id_token"], tenant, flow)
        body["id_token_expires_in"] = lifetime
        body["client_info"] = b2c_client_info(user, flow)
    body["scope"] = " ".join(s for s in ("openid", "offline_access") if s in entra.get("scope", ""))
    if "refresh_token" in entra:
        body["refresh_token"] = entra["refresh_token"]
        body["refresh_token_expires_in"] = REFRESH_TOKEN_LIFETIME
    return body


def _delegate(view: str, tenant: Tenant) -> Any:
    """Run one of the emulator's own endpoints for the B2C tenant."""
    return current_app.view_functions[view](segment=tenant.id)


def create_b2c_blueprint() -> Blueprint:
    """Routes of B2C user flows: /<tenant>/<user flow>/..."""
    blueprint = Blueprint("b2c", __name__)

    @blueprint.get("/<segment>/<policy>/v2.0/.well-known/openid-configuration")
    def configuration(segment: str, policy: str) -> Response:
        """A user flow's discovery document."""
        current_state().counters.count("discovery")
        try:
            tenant, flow = b2c_tenant(segment, policy)
        except B2cError as error:
            return error.to_response()
        return jsonify(b2c_configuration(tenant, flow))

    @blueprint.get("/<segment>/<policy>/discovery/v2.0/keys")
    def keys(segment: str, policy: str) -> Response:
        """The user flow's signing keys."""
        current_state().counters.count("jwks")
        try:
            b2c_tenant(segment, policy)
        except B2cError as error:
            return error.to_response()
        return jsonify(current_state().keys.jwks())

    @blueprint.route("/<segment>/<policy>/oauth2/v2.0/authorize", methods=["GET", "POST"])
    def authorize(segment: str, policy: str) -> Any:
        """The user flow's sign-in: the emulator's pages, for the B2C tenant's customers."""
        params = {**request.args.to_dict(), **request.form.to_dict()}
        try:
            tenant, _ = b2c_tenant(segment, policy)
        except B2cError as error:
            return error_page(error)
        refusal = refused_scope(params.get("scope", ""), params.get("client_id", ""))
        if refusal is not None:
            return error_page(refusal)
        return _delegate("authorize.authorize", tenant)

    @blueprint.get("/<segment>/<policy>/oauth2/v2.0/autosubmit.js")
    def autosubmit_script(segment: str, policy: str) -> Any:
        """The form_post page's script, beside the user flow's authorize URL."""
        return current_app.view_functions["authorize.autosubmit_script"](segment=segment)

    @blueprint.post("/<segment>/<policy>/oauth2/v2.0/token")
    def token(segment: str, policy: str) -> Response:
        """The user flow's token endpoint: B2C's ID token, no Graph access token."""
        try:
            tenant, flow = b2c_tenant(segment, policy)
        except B2cError as error:
            return error.to_response()
        refusal = refused_scope(request.form.get("scope", ""), request.form.get("client_id", ""))
        if refusal is not None:
            return refusal.to_response()
        answer: Response = _delegate("token.token", tenant)
        entra = answer.get_json(silent=True) or {}
        if answer.status_code != 200 and entra.get("error") == "invalid_grant":
            expired = "The provided grant has expired. Please re-authenticate and try again."
            return B2cError("invalid_grant", 90080, expired).to_response()
        if answer.status_code != 200:
            return answer  # the client's own mistakes, as the emulator words them
        response = jsonify(b2c_token_body(entra, tenant, flow))
        response.headers["Cache-Control"] = "no-store, no-cache"
        return response

    @blueprint.route("/<segment>/<policy>/oauth2/v2.0/logout", methods=["GET", "POST"])
    def logout(segment: str, policy: str) -> Any:
        """The user flow's sign-out: the emulator's own, for the B2C tenant."""
        try:
            tenant, _ = b2c_tenant(segment, policy)
        except B2cError as error:
            return error_page(error)
        return _delegate("logout.logout", tenant)

    return blueprint
