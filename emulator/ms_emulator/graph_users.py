"""Graph v1.0 user endpoints: /me, /users, /users/{id|upn} and profile photos."""

from __future__ import annotations

import hashlib
from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, Response, jsonify, make_response, request

from ms_emulator.directory_models import User
from ms_emulator.graph_auth import GraphCaller, authenticate_caller
from ms_emulator.graph_errors import GraphError, bad_request, not_found
from ms_emulator.graph_query import (
    DEFAULT_PAGE_SIZE,
    encode_skiptoken,
    parse_select,
    parse_skiptoken,
    parse_top,
    project,
    reject_unsupported,
    select_suffix,
)
from ms_emulator.state import current_state
from ms_emulator.tenant_resolution import back_channel_root

READ_ALL_DELEGATED = (
    "User.ReadBasic.All",
    "User.Read.All",
    "User.ReadWrite.All",
    "Directory.Read.All",
    "Directory.ReadWrite.All",
)
READ_SELF_DELEGATED = ("User.Read", "User.ReadWrite", *READ_ALL_DELEGATED)
READ_ALL_APPLICATION = (
    "User.Read.All",
    "User.ReadWrite.All",
    "Directory.Read.All",
    "Directory.ReadWrite.All",
)


def signed_in_user(caller: GraphCaller) -> User:
    """The caller's own user, for /me (delegated tokens only)."""
    if caller.user is None:
        raise bad_request("/me request is only valid with delegated authentication flow.")
    caller.require(READ_SELF_DELEGATED, ())
    return caller.user


def addressed_user(caller: GraphCaller, user_ref: str) -> User:
    """The user named by id or UPN in the caller's tenant, with permission checked."""
    user = current_state().directory.user(user_ref)
    if user is None or user.tenant_id != caller.tenant_id:
        raise not_found(
            f"Resource '{user_ref}' does not exist or one of its queried "
            "reference-property objects are not present."
        )
    if caller.user is not None and caller.user.id == user.id:
        caller.require(READ_SELF_DELEGATED, READ_ALL_APPLICATION)
    else:
        caller.require(READ_ALL_DELEGATED, READ_ALL_APPLICATION)
    return user


def user_document(user: User, entity_set: str) -> Response:
    """One user as JSON, honouring $select."""
    reject_unsupported(request.args)
    select = parse_select(request.args.get("$select"))
    context = f"{back_channel_root()}/v1.0/$metadata#{entity_set}{select_suffix(select)}/$entity"
    return jsonify({"@odata.context": context, **project(user, select)})


def photo_response(user: User, raw: bool) -> Response:
    """The photo bytes, or its metadata; 404 ImageNotFound when there is none."""
    if user.photo is None:
        raise GraphError(
            404,
            "ImageNotFound",
            "Exception of type 'Microsoft.Fast.Profile.Core."
            "Exception.ImageNotFoundException' was thrown.",
        )
    if raw:
        response = make_response(user.photo)
        response.headers["Content-Type"] = user.photo_content_type
        return response
    context = f"{back_channel_root()}/v1.0/$metadata#users('{user.id}')/photo/$entity"
    return jsonify(
        {
            "@odata.context": context,
            "@odata.mediaContentType": user.photo_content_type,
            "@odata.mediaEtag": f'W/"{hashlib.sha256(user.photo).hexdigest()[:16]}"',
            "id": "default",
            "height": 48,
            "width": 48,
        }
    )


def user_page(caller: GraphCaller) -> dict[str, Any]:
    """One page of the tenant's users with @odata.nextLink when more remain."""
    caller.require(READ_ALL_DELEGATED, READ_ALL_APPLICATION)
    reject_unsupported(request.args)
    select = parse_select(request.args.get("$select"))
    top = parse_top(request.args.get("$top"))
    offset = parse_skiptoken(request.args.get("$skiptoken"))
    users = current_state().directory.users(caller.tenant_id)
    size = top or DEFAULT_PAGE_SIZE
    body: dict[str, Any] = {
        "@odata.context": f"{back_channel_root()}/v1.0/$metadata#users{select_suffix(select)}",
        "value": [project(user, select) for user in users[offset : offset + size]],
    }
    if offset + size < len(users):
        query = {"$top": str(top)} if top else {}
        query |= {"$select": ",".join(select)} if select else {}
        query["$skiptoken"] = encode_skiptoken(offset + size)
        body["@odata.nextLink"] = f"{back_channel_root()}/v1.0/users?{urlencode(query)}"
    return body


def register_user_routes(blueprint: Blueprint) -> None:
    """Add the user and photo routes to the Graph blueprint."""

    @blueprint.get("/v1.0/me")
    def me() -> Response:
        """The signed-in user."""
        return user_document(signed_in_user(authenticate_caller()), "users")

    @blueprint.get("/v1.0/users")
    def list_users() -> Response:
        """A page of the tenant's users."""
        return jsonify(user_page(authenticate_caller()))

    @blueprint.get("/v1.0/users/<user_ref>")
    def get_user(user_ref: str) -> Response:
        """One user by id or UPN."""
        return user_document(addressed_user(authenticate_caller(), user_ref), "users")

    @blueprint.get("/v1.0/me/photo")
    @blueprint.get("/v1.0/me/photo/$value")
    def my_photo() -> Response:
        """The signed-in user's photo or its metadata."""
        user = signed_in_user(authenticate_caller())
        return photo_response(user, raw=request.path.endswith("$value"))

    @blueprint.get("/v1.0/users/<user_ref>/photo")
    @blueprint.get("/v1.0/users/<user_ref>/photo/$value")
    def user_photo(user_ref: str) -> Response:
        """A user's photo or its metadata."""
        user = addressed_user(authenticate_caller(), user_ref)
        return photo_response(user, raw=request.path.endswith("$value"))
