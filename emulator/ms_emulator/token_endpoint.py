"""The /token endpoint: authenticates the client and dispatches on grant_type."""

from __future__ import annotations

from collections.abc import Mapping

from flask import Blueprint, Response, jsonify, request

from ms_emulator.aad_errors import AadError, invalid_request
from ms_emulator.client_auth import authenticate_client
from ms_emulator.fault_responses import apply_faults
from ms_emulator.grants import CodeRecord
from ms_emulator.on_behalf_of import JWT_BEARER, on_behalf_of_grant
from ms_emulator.refresh_tokens import RefreshRecord
from ms_emulator.state import current_state
from ms_emulator.tenant_resolution import TenantScope, back_channel_root, resolve_tenant
from ms_emulator.token_grants import GRANT_HANDLERS


def token_endpoint_urls(segment: str, tenant: TenantScope) -> tuple[str, ...]:
    """URLs a client assertion may name as its audience."""
    root = back_channel_root()
    segments = dict.fromkeys([segment, tenant.path_segment])
    return tuple(
        f"{root}/{s}/{path}" for s in segments for path in ("oauth2/v2.0/token", "oauth2/token")
    )


def grant_user_upn(grant_type: str, form: Mapping[str, str]) -> str | None:
    """The user a code or refresh token belongs to, found without consuming it."""
    state = current_state()
    record: CodeRecord | RefreshRecord | None = None
    if grant_type == "authorization_code":
        record = state.codes.peek(form.get("code", ""))
    elif grant_type == "refresh_token":
        record = state.refresh_tokens.peek(form.get("refresh_token", ""))
    user = state.directory.user(record.grant.user_id) if record else None
    return user.upn if user else None


def _token(segment: str, form: Mapping[str, str]) -> Response:
    grant_type = form.get("grant_type", "")
    tenant = resolve_tenant(segment)
    if not grant_type:
        raise invalid_request(
            900144, "The request body must contain the following parameter: 'grant_type'."
        )
    handler = {**GRANT_HANDLERS, JWT_BEARER: on_behalf_of_grant}.get(grant_type)
    if handler is None:
        raise AadError(
            "unsupported_grant_type",
            70003,
            f"The app requested an unsupported grant type '{grant_type}'.",
        )
    client = authenticate_client(
        form, request.headers.get("Authorization"), token_endpoint_urls(segment, tenant)
    )
    if not tenant.admits_app(client.app):
        raise AadError(
            "unauthorized_client",
            700016,
            f"Application with identifier "
            f"'{client.app.client_id}' was not found in the directory "
            f"'{tenant.segment}'.",
        )
    upn = grant_user_upn(grant_type, form)
    fault = apply_faults("token", upn) if upn else None
    if fault is not None:
        return fault
    response = jsonify(handler(form, client, tenant))
    response.headers["Cache-Control"] = "no-store, no-cache"
    response.headers["Pragma"] = "no-cache"
    return response


def create_token_blueprint() -> Blueprint:
    """Routes for the token endpoint."""
    blueprint = Blueprint("token", __name__)

    @blueprint.post("/<segment>/oauth2/v2.0/token")
    def token(segment: str) -> Response:
        """The token endpoint."""
        form = request.form.to_dict()
        current_state().counters.count("token", form.get("grant_type", ""))
        fault = apply_faults("token")
        if fault is not None:
            return fault
        try:
            return _token(segment, form)
        except AadError as error:
            return error.to_response()

    return blueprint
