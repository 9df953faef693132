"""The emulator-only control API under /_control/ (JSON), for tests and demos."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify, request

from ms_emulator.control_memberships import register_membership_control_routes
from ms_emulator.control_second_factor import register_second_factor_control_routes
from ms_emulator.directory import ALL_PRINCIPALS
from ms_emulator.directory_models import AppRegistration, User
from ms_emulator.faults import fault_from_request
from ms_emulator.state import current_state


def _problem(message: str, status: int = 400) -> Response:
    response = jsonify({"error": message})
    response.status_code = status
    return response


def _json_body() -> dict[str, Any]:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise ValueError("the request body must be a JSON object")
    return body


def describe_user(user: User) -> dict[str, Any]:
    """A user as the control API shows it."""
    return {**user.graph_properties(), "tenantId": user.tenant_id, "hasPhoto": bool(user.photo)}


def describe_app(app: AppRegistration) -> dict[str, Any]:
    """An app registration as the control API shows it (secrets are not echoed)."""
    return {
        "client_id": app.client_id,
        "tenant_id": app.tenant_id,
        "display_name": app.display_name,
        "redirect_uris": list(app.redirect_uris),
        "post_logout_redirect_uris": list(app.post_logout_redirect_uris),
        "front_channel_logout_url": app.front_channel_logout_url,
        "spa_redirect_uris": list(app.spa_redirect_uris),
        "application_permissions": list(app.application_permissions),
        "app_roles": [
            {"id": r.id, "value": r.value, "displayName": r.display_name} for r in app.app_roles
        ],
        "group_membership_claims": app.group_membership_claims,
        "sign_in_audience": app.sign_in_audience,
        "identifier_uris": list(app.identifier_uris),
        "api_scopes": list(app.api_scopes),
        "client_secret_count": len(app.client_secrets),
        "certificate_thumbprints": [c.thumbprint_sha1 for c in app.certificates],
        "federated_credentials": [
            {"name": c.name, "issuer": c.issuer, "subject": c.subject, "audiences": [c.audience]}
            for c in app.federated_credentials
        ],
    }


def create_control_blueprint() -> Blueprint:
    """Routes of the control API."""
    blueprint = Blueprint("control", __name__, url_prefix="/_control")

    @blueprint.errorhandler(ValueError)
    def invalid(error: ValueError) -> Response:
        """Bad control-API input becomes 400 with a message."""
        return _problem(str(error))

    @blueprint.get("/users")
    def list_users() -> Response:
        """All users, as the control API shows them."""
        return jsonify({"value": [describe_user(u) for u in current_state().directory.users()]})

    @blueprint.post("/users")
    def add_user() -> tuple[Response, int]:
        """Add (or replace) a user."""
        body = _json_body()
        if not body.get("userPrincipalName"):
            raise ValueError("userPrincipalName is required")
        return jsonify(describe_user(current_state().directory.add_user(body))), 201

    @blueprint.post("/users/<user_ref>/revoke")
    def revoke_user(user_ref: str) -> Response:
        """Revoke a user's refresh tokens and sessions, and start CAE challenges."""
        state = current_state()
        user = state.directory.user(user_ref)
        if user is None:
            return _problem(f"no user {user_ref}", 404)
        families = state.refresh_tokens.revoke_user(user.id)
        state.browser_sessions.remove_user(user.id)
        revoked_at = state.directory.revoke_sign_in_sessions(user.id)
        return jsonify(
            {"user": user.upn, "revoked_refresh_token_families": families, "revoked_at": revoked_at}
        )

    @blueprint.route("/faults", methods=["GET", "POST", "DELETE"])
    def faults() -> Response:
        """List, add or clear injected faults."""
        injector = current_state().faults
        if request.method == "DELETE":
            injector.clear()
        elif request.method == "POST":
            body = _json_body()
            if body.get("clear"):
                injector.clear()
            else:
                injector.add(fault_from_request(body))
        return jsonify({"faults": [rule.describe() for rule in injector.rules()]})

    @blueprint.get("/requests")
    def request_counts() -> Response:
        """Requests received per kind of endpoint."""
        return jsonify(current_state().counters.snapshot())

    @blueprint.post("/reset-counters")
    def reset_counters() -> Response:
        """Zero the request counters and the refresh-token spending counts."""
        current_state().counters.reset()
        current_state().refresh_tokens.reset_spending()
        return jsonify(current_state().counters.snapshot())

    @blueprint.get("/refresh-tokens")
    def refresh_token_spending() -> Response:
        """Per user (by UPN): refresh tokens redeemed, and already-used ones presented again."""
        state = current_state()
        by_user: dict[str, dict[str, int]] = {}
        for user_id, counts in state.refresh_tokens.spending().items():
            user = state.directory.user(user_id)
            by_user[user.upn if user else user_id] = counts
        return jsonify({"users": by_user})

    @blueprint.route("/apps", methods=["GET", "POST"])
    def apps() -> Response | tuple[Response, int]:
        """List app registrations, or register/update one."""
        directory = current_state().directory
        if request.method == "POST":
            return jsonify(describe_app(directory.put_app(_json_body()))), 201
        return jsonify({"value": [describe_app(app) for app in directory.apps()]})

    @blueprint.post("/consents")
    def consents() -> Response:
        """Grant or revoke consent for an app."""
        body = _json_body()
        if not body.get("client_id"):
            raise ValueError("client_id is required")
        directory = current_state().directory
        principal = str(body.get("principal") or ALL_PRINCIPALS)
        if principal != ALL_PRINCIPALS:
            user = directory.user(principal)
            if user is None:
                return _problem(f"no user {principal}", 404)
            principal = user.id
        if body.get("revoke"):
            directory.revoke_consent(str(body["client_id"]), principal)
        else:
            directory.grant_consent(
                str(body["client_id"]), principal, str(body.get("scopes", "")).split()
            )
        return jsonify({"client_id": body["client_id"], "principal": principal})

    register_membership_control_routes(blueprint)
    register_second_factor_control_routes(blueprint)

    @blueprint.post("/keys/rotate")
    def rotate_keys() -> Response:
        """Rotate the token-signing key."""
        kid = current_state().keys.rotate()
        return jsonify({"active_kid": kid, **current_state().keys.jwks()})

    @blueprint.post("/reset")
    def reset() -> Response:
        """Return every store to the seed (keys are kept)."""
        current_state().reset()
        return jsonify({"status": "reset"})

    return blueprint
