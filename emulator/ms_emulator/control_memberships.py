"""Control-API routes for tenants, groups, group members and app role assignments."""

from __future__ import annotations

import uuid
from typing import Any

from flask import Blueprint, Response, jsonify, request

from ms_emulator.directory import Directory
from ms_emulator.directory_models import Group, Tenant
from ms_emulator.state import current_state


def _json_object() -> dict[str, Any]:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise ValueError("the request body must be a JSON object")
    return body


def _references(body: dict[str, Any], key: str) -> list[str]:
    values = body.get(key, [])
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        raise ValueError(f"{key} must be a list of user ids or UPNs")
    return values


def describe_group(directory: Directory, group: Group) -> dict[str, Any]:
    """A group as the control API shows it, with its members' UPNs."""
    members = [
        directory.user(member_id) for member_id in directory.memberships.member_ids(group.id)
    ]
    return {
        "id": group.id,
        "displayName": group.display_name,
        "securityEnabled": group.security_enabled,
        "mailEnabled": group.mail_enabled,
        "tenantId": group.tenant_id,
        "members": sorted(user.upn for user in members if user is not None),
    }


def register_membership_control_routes(blueprint: Blueprint) -> None:
    """Add /_control/tenants, /groups, /groups/{id}/members and /app-role-assignments."""

    @blueprint.route("/tenants", methods=["GET", "POST"])
    def tenants() -> Response | tuple[Response, int]:
        """List tenants, or add one: {"id", "domain", "display_name"}."""
        directory = current_state().directory
        if request.method == "POST":
            body = _json_object()
            fields = {name: str(body.get(name) or "").strip() for name in ("id", "domain")}
            if not all(fields.values()):
                raise ValueError("id and domain are required")
            fields["id"] = str(uuid.UUID(fields["id"]))
            tenant = directory.add_tenant(
                Tenant(display_name=str(body.get("display_name") or fields["domain"]), **fields)
            )
            return jsonify(vars(tenant)), 201
        return jsonify({"value": [vars(t) for t in directory.tenants]})

    @blueprint.route("/groups", methods=["GET", "POST"])
    def groups() -> Response | tuple[Response, int]:
        """List groups, or add one (or "count" numbered ones) with "members"."""
        directory = current_state().directory
        if request.method == "POST":
            added = directory.add_groups(_json_object())
            return jsonify({"value": [describe_group(directory, g) for g in added]}), 201
        listed = directory.memberships.groups()
        return jsonify({"value": [describe_group(directory, g) for g in listed]})

    @blueprint.post("/groups/<group_id>/members")
    def group_members(group_id: str) -> Response:
        """Add and remove members: {"add": [ids or UPNs], "remove": [...]}."""
        directory = current_state().directory
        group = directory.memberships.group(group_id)
        if group is None:
            response = jsonify({"error": f"no group {group_id}"})
            response.status_code = 404
            return response
        body = _json_object()
        adding = [directory.existing_user(r) for r in _references(body, "add")]
        removing = [directory.existing_user(r) for r in _references(body, "remove")]
        for user in adding:
            directory.memberships.add_member(group.id, user.id)
        for user in removing:
            directory.memberships.remove_member(group.id, user.id)
        return jsonify(describe_group(directory, group))

    @blueprint.route("/app-role-assignments", methods=["GET", "POST"])
    def app_role_assignments() -> Response:
        """List an app's assignments (?client_id=), or assign/revoke one."""
        directory = current_state().directory
        if request.method == "POST":
            return jsonify(directory.assign_app_role(_json_object()))
        app = directory.app(request.args.get("client_id", ""))
        if app is None:
            raise ValueError("client_id names no app registration")
        pairs = directory.memberships.assignments(app)
        return jsonify({"value": [{"principal": p, "role": r} for p, r in pairs]})
