"""Graph v1.0 membership endpoints: getMemberObjects (/me, /users/{id}), /me/transitiveMemberOf."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, Response, jsonify, request

from ms_emulator.directory_models import User
from ms_emulator.graph_auth import authenticate_caller
from ms_emulator.graph_errors import bad_request, not_found
from ms_emulator.graph_query import (
    DEFAULT_PAGE_SIZE,
    encode_skiptoken,
    parse_skiptoken,
    parse_top,
    reject_unsupported,
)
from ms_emulator.state import current_state
from ms_emulator.tenant_resolution import back_channel_root

MEMBERSHIP_DELEGATED = (
    "GroupMember.Read.All",
    "Group.Read.All",
    "Directory.Read.All",
    "Directory.ReadWrite.All",
)


def member_user() -> User:
    """The token's user, when the token is delegated and carries a membership scope."""
    caller = authenticate_caller()
    if caller.user is None:
        raise bad_request("/me request is only valid with delegated authentication flow.")
    caller.require(MEMBERSHIP_DELEGATED, ())
    return caller.user


def addressed_member(user_ref: str) -> User:
    """A user of the caller's tenant by id or UPN, for a caller with a membership permission."""
    caller = authenticate_caller()
    caller.require(MEMBERSHIP_DELEGATED, MEMBERSHIP_DELEGATED)
    user = current_state().directory.user(user_ref)
    if user is None or user.tenant_id != caller.tenant_id:
        raise not_found(
            f"Resource '{user_ref}' does not exist or one of its queried "
            "reference-property objects are not present."
        )
    return user


def security_enabled_only() -> bool:
    """The required securityEnabledOnly flag of a getMemberObjects body."""
    body = request.get_json(silent=True)
    flag = body.get("securityEnabledOnly") if isinstance(body, dict) else None
    if not isinstance(flag, bool):
        raise bad_request(
            "The request body must be a JSON object with a boolean securityEnabledOnly.",
            "Request_BadRequest",
        )
    return flag


def member_objects(user_ref: str | None = None) -> Response:
    """Ids of the groups the signed-in (or addressed) user belongs to."""
    user = member_user() if user_ref is None else addressed_member(user_ref)
    only_security = security_enabled_only()
    groups = current_state().directory.memberships.groups_of(user.id)
    return jsonify(
        {
            "@odata.context": f"{back_channel_root()}/v1.0/$metadata#Collection(Edm.String)",
            "value": [g.id for g in groups if g.security_enabled or not only_security],
        }
    )


def transitive_member_of() -> Response:
    """A page of the signed-in user's groups, with @odata.nextLink when more remain."""
    user = member_user()
    reject_unsupported(request.args)
    if "$select" in request.args:
        raise bad_request(
            "The emulator does not support '$select' on transitiveMemberOf.",
            "Request_UnsupportedQuery",
        )
    top = parse_top(request.args.get("$top"))
    offset = parse_skiptoken(request.args.get("$skiptoken"))
    groups = current_state().directory.memberships.groups_of(user.id)
    size = top or DEFAULT_PAGE_SIZE
    body: dict[str, Any] = {
        "@odata.context": f"{back_channel_root()}/v1.0/$metadata#directoryObjects",
        "value": [g.graph_properties() for g in groups[offset : offset + size]],
    }
    if offset + size < len(groups):
        query = {"$top": str(top)} if top else {}
        query["$skiptoken"] = encode_skiptoken(offset + size)
        body["@odata.nextLink"] = (
            f"{back_channel_root()}/v1.0/me/transitiveMemberOf?{urlencode(query)}"
        )
    return jsonify(body)


def register_membership_routes(blueprint: Blueprint) -> None:
    """Add the membership routes to the Graph blueprint."""
    blueprint.add_url_rule(
        "/v1.0/me/getMemberObjects", "get_member_objects", member_objects, methods=["POST"]
    )
    blueprint.add_url_rule(
        "/v1.0/users/<user_ref>/getMemberObjects",
        "get_user_member_objects",
        member_objects,
        methods=["POST"],
    )
    blueprint.add_url_rule(
        "/v1.0/me/transitiveMemberOf", "transitive_member_of", transitive_member_of
    )
