"""Groups, who belongs to them, and app role assignments to users and groups."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Mapping
from typing import Any

from ms_emulator.directory_models import AppRegistration, Group

GROUP_NAMESPACE = uuid.UUID("3c9e1f27-8b4d-4e0a-b6f5-7a2d9c1e4b83")


def groups_from_record(record: Mapping[str, Any], tenant_id: str) -> list[Group]:
    """One group, or with "count" n numbered groups ("{n}" in displayName), from a record."""
    name = str(record.get("displayName") or "").strip()
    if not name:
        raise ValueError("displayName is required")
    security, mail = record.get("securityEnabled", True), record.get("mailEnabled", False)
    if not isinstance(security, bool) or not isinstance(mail, bool):
        raise ValueError("securityEnabled and mailEnabled must be true or false")
    count = record.get("count")
    if count is None:
        group_id = str(record.get("id") or uuid.uuid4())
        return [Group(group_id, tenant_id, name, security, mail)]
    if not isinstance(count, int) or not 1 <= count <= 5000 or "{n}" not in name:
        raise ValueError('count must be 1 to 5000, with "{n}" in displayName')
    names = [name.replace("{n}", f"{n:03d}") for n in range(1, count + 1)]
    return [
        Group(
            str(uuid.uuid5(GROUP_NAMESPACE, f"{tenant_id}:{each}")), tenant_id, each, security, mail
        )
        for each in names
    ]


class GroupMemberships:
    """Groups by id, their member users, and app role assignments; guarded by one lock."""

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._groups: dict[str, Group] = {}
        self._members: dict[str, set[str]] = {}
        self._assignments: dict[str, set[tuple[str, str]]] = {}

    def put_group(self, group: Group) -> Group:
        """Add a group, or replace one with the same id (keeping its members)."""
        with self._lock:
            self._groups[group.id.lower()] = group
            self._members.setdefault(group.id.lower(), set())
        return group

    def group(self, group_id: str) -> Group | None:
        """A group by object id."""
        with self._lock:
            return self._groups.get(group_id.lower())

    def groups(self, tenant_id: str | None = None) -> list[Group]:
        """All groups (of one tenant when given), ordered by display name."""
        with self._lock:
            found = [g for g in self._groups.values() if tenant_id in (None, g.tenant_id)]
        return sorted(found, key=lambda g: (g.display_name.lower(), g.id))

    def add_member(self, group_id: str, user_id: str) -> None:
        """Make a user a member of a group."""
        with self._lock:
            if group_id.lower() not in self._groups:
                raise ValueError(f"no group {group_id}")
            self._members[group_id.lower()].add(user_id.lower())

    def remove_member(self, group_id: str, user_id: str) -> None:
        """Take a user out of a group."""
        with self._lock:
            self._members.get(group_id.lower(), set()).discard(user_id.lower())

    def member_ids(self, group_id: str) -> list[str]:
        """The user ids (lower-cased) of a group's members."""
        with self._lock:
            return sorted(self._members.get(group_id.lower(), set()))

    def groups_of(self, user_id: str) -> list[Group]:
        """The groups a user belongs to, ordered by display name."""
        wanted = user_id.lower()
        with self._lock:
            found = [self._groups[g] for g, members in self._members.items() if wanted in members]
        return sorted(found, key=lambda g: (g.display_name.lower(), g.id))

    def assign_role(self, app: AppRegistration, role_ref: str, principal_id: str) -> str:
        """Assign one of app's roles (by value or id) to a user or group id; return its value."""
        role = app.app_role(role_ref)
        if role is None:
            raise ValueError(f"the app {app.client_id} has no app role {role_ref}")
        with self._lock:
            self._assignments.setdefault(app.client_id.lower(), set()).add(
                (principal_id.lower(), role.id)
            )
        return role.value

    def unassign_role(self, app: AppRegistration, role_ref: str, principal_id: str) -> None:
        """Remove an app role assignment, if there is one."""
        role = app.app_role(role_ref)
        if role is not None:
            with self._lock:
                self._assignments.get(app.client_id.lower(), set()).discard(
                    (principal_id.lower(), role.id)
                )

    def assignments(self, app: AppRegistration) -> list[tuple[str, str]]:
        """(principal id, role value) for every assignment of app's current roles."""
        values = {role.id: role.value for role in app.app_roles}
        with self._lock:
            pairs = self._assignments.get(app.client_id.lower(), set())
            return sorted((p, values[r]) for p, r in pairs if r in values)

    def roles_of(self, app: AppRegistration, user_id: str) -> list[str]:
        """Values of app's roles assigned to the user directly or through a group."""
        principals = {user_id.lower()} | {g.id.lower() for g in self.groups_of(user_id)}
        return sorted({value for p, value in self.assignments(app) if p in principals})
