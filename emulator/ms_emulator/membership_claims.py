"""The roles and groups claims of an ID token, with Entra's group overage form."""

from __future__ import annotations

from typing import Any

from ms_emulator.directory import Directory
from ms_emulator.directory_models import AppRegistration, User

JWT_GROUP_LIMIT = 200
OVERAGE_SOURCE = "src1"


def member_objects_endpoint(user_id: str) -> str:
    """Where Entra's overage claim says to read a user's groups."""
    return f"https://graph.microsoft.com/v1.0/users/{user_id}/getMemberObjects"


def membership_claims(directory: Directory, app: AppRegistration, user: User) -> dict[str, Any]:
    """roles (app roles assigned directly or via a group) and groups (or the overage form)."""
    claims: dict[str, Any] = {}
    roles = directory.memberships.roles_of(app, user.id)
    if roles:
        claims["roles"] = roles
    if app.group_membership_claims == "None":
        return claims
    groups = directory.memberships.groups_of(user.id)
    if app.group_membership_claims == "SecurityGroup":
        groups = [g for g in groups if g.security_enabled]
    if len(groups) > JWT_GROUP_LIMIT:
        claims["_claim_names"] = {"groups": OVERAGE_SOURCE}
        claims["_claim_sources"] = {OVERAGE_SOURCE: {"endpoint": member_objects_endpoint(user.id)}}
    elif groups:
        claims["groups"] = [g.id for g in groups]
    return claims
