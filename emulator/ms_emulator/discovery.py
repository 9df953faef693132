"""OpenID Connect discovery, the JWKS, and Entra's instance discovery."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import Blueprint, Response, jsonify, request

from ms_emulator.aad_errors import AadError
from ms_emulator.browser_clients import browser_is_here, endpoint_root
from ms_emulator.clouds import discovery_cloud_values, instance_metadata, is_cloud_login_host
from ms_emulator.state import current_state
from ms_emulator.tenant_resolution import (
    back_channel_root,
    browser_root,
    id_token_issuer,
    resolve_tenant,
)


def openid_configuration(segment: str) -> dict[str, Any]:
    """The v2.0 discovery document for a tenant segment."""
    scope = resolve_tenant(segment)
    root, browser, path = endpoint_root(), browser_root(), scope.path_segment
    if browser_is_here():
        browser = root  # every URL where the browser reached us (browser_clients)
    tenant_in_issuer = scope.tenant.id if scope.tenant else "{tenantid}"
    return {
        "token_endpoint": f"{root}/{path}/oauth2/v2.0/token",
        "token_endpoint_auth_methods_supported": [
            "client_secret_post",
            "private_key_jwt",
            "client_secret_basic",
        ],
        "jwks_uri": f"{root}/{path}/discovery/v2.0/keys",
        "response_modes_supported": ["query", "fragment", "form_post"],
        "subject_types_supported": ["pairwise"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "response_types_supported": ["code"],
        "scopes_supported": ["openid", "profile", "email", "offline_access"],
        "issuer": id_token_issuer(tenant_in_issuer),
        "request_uri_parameter_supported": False,
        "userinfo_endpoint": f"{root}/oidc/userinfo",
        "authorization_endpoint": f"{browser}/{path}/oauth2/v2.0/authorize",
        "http_logout_supported": True,
        "frontchannel_logout_supported": True,
        "end_session_endpoint": f"{browser}/{path}/oauth2/v2.0/logout",
        "claims_supported": [
            "sub",
            "iss",
            "cloud_instance_name",
            "cloud_instance_host_name",
            "cloud_graph_host_name",
            "msgraph_host",
            "aud",
            "exp",
            "iat",
            "auth_time",
            "acr",
            "nonce",
            "preferred_username",
            "name",
            "tid",
            "ver",
            "at_hash",
            "c_hash",
            "email",
        ],
        "code_challenge_methods_supported": ["plain", "S256"],
        "tenant_region_scope": "NA",
        **discovery_cloud_values(urlsplit(back_channel_root()).netloc),
        "rbac_url": "https://pas.windows.net",
    }


def create_discovery_blueprint() -> Blueprint:
    """Routes for discovery documents and signing keys."""
    blueprint = Blueprint("discovery", __name__)

    @blueprint.get("/<segment>/v2.0/.well-known/openid-configuration")
    def openid_config(segment: str) -> Response:
        """The OpenID Connect discovery document."""
        current_state().counters.count("discovery")
        return jsonify(openid_configuration(segment))

    @blueprint.get("/<segment>/discovery/v2.0/keys")
    @blueprint.get("/<segment>/discovery/keys")
    def keys(segment: str) -> Response:
        """The JSON Web Key Set."""
        current_state().counters.count("jwks")
        if segment.lower() != "common":
            resolve_tenant(segment)
        return jsonify(current_state().keys.jwks())

    @blueprint.get("/common/discovery/instance")
    def instance_discovery() -> Response:
        """Entra's instance discovery, as MSAL calls it."""
        current_state().counters.count("instance_discovery")
        requested = request.args.get("authorization_endpoint") or (
            f"{back_channel_root()}/common/oauth2/v2.0/authorize"
        )
        parts = urlsplit(requested)
        own_host = urlsplit(back_channel_root()).netloc
        if parts.scheme != "https" or not (
            is_cloud_login_host(parts.netloc) or parts.netloc == own_host
        ):
            raise AadError("invalid_instance", 50049, "Unknown or invalid instance.")
        tenant = (parts.path.strip("/").split("/") or ["common"])[0] or "common"
        return jsonify(
            {
                "tenant_discovery_endpoint": f"https://{parts.netloc}/{tenant}/v2.0/.well-known/openid-configuration",
                "api-version": "1.1",
                "metadata": instance_metadata(parts.netloc),
            }
        )

    return blueprint
