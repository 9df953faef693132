"""The in-memory directory: tenants, users, app registrations, consents, revocations."""

from __future__ import annotations

import json
import math
import threading
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ms_emulator.app_registrations import app_from_record
from ms_emulator.directory_models import (
    AppRegistration,
    Group,
    Tenant,
    User,
    tenant_from_record,
    user_from_seed,
)
from ms_emulator.group_memberships import GroupMemberships, groups_from_record
from ms_emulator.scopes import canonical_scope
from ms_emulator.token_issuer import service_principal_id

ALL_PRINCIPALS = "AllPrincipals"
MULTI_TENANT_SEGMENTS = ("common", "organizations")


class Directory:
    """Everything the emulated tenant(s) know, guarded by one lock."""

    def __init__(self, seed: Mapping[str, Any]) -> None:
        self._lock = threading.RLock()
        self.tenants = [tenant_from_record(record) for record in seed["tenants"]]
        self.default_tenant = self.tenants[0]
        self._users: dict[str, User] = {}
        self._ids_by_upn: dict[str, str] = {}
        self._sorted: dict[str | None, list[User]] = {}
        self._apps: dict[str, AppRegistration] = {}
        self._consents: dict[tuple[str, str], set[str]] = {}
        self._revoked_at: dict[str, int] = {}
        self.memberships = GroupMemberships()
        for record in seed.get("users", []):
            self.add_user(record)
        for record in seed.get("apps", []):
            self.put_app(record)
        for record in seed.get("groups", []):
            self.add_groups(record)
        for assignment in seed.get("app_role_assignments", []):
            self.assign_app_role(assignment)
        for consent in seed.get("consents", []):
            self.grant_consent(
                consent["client_id"],
                consent.get("principal", ALL_PRINCIPALS),
                str(consent["scopes"]).split(),
            )

    def tenant(self, segment: str) -> Tenant | None:
        """Resolve a tenant by GUID or verified domain (not common/organizations)."""
        wanted = segment.lower()
        return next((t for t in self.tenants if wanted in (t.id.lower(), t.domain.lower())), None)

    def add_tenant(self, tenant: Tenant) -> Tenant:
        """Add a tenant whose id and domain are not taken."""
        with self._lock:
            if self.tenant(tenant.id) or self.tenant(tenant.domain):
                raise ValueError(f"tenant {tenant.id} or domain {tenant.domain} already exists")
            self.tenants.append(tenant)
        return tenant

    def add_user(self, record: Mapping[str, Any]) -> User:
        """Add (or replace, by id) a user."""
        tenant = self.tenant(str(record.get("tenant_id", ""))) or self.default_tenant
        user = user_from_seed(record, tenant)
        key, upn = user.id.lower(), user.upn.lower()
        with self._lock:
            if self._ids_by_upn.get(upn, key) != key:
                raise ValueError(f"userPrincipalName {user.upn} is already taken")
            previous = self._users.get(key)
            if previous is not None:
                self._ids_by_upn.pop(previous.upn.lower(), None)
            self._users[key] = user
            self._ids_by_upn[upn] = key
            self._sorted.clear()
        return user

    def user(self, id_or_upn: str) -> User | None:
        """Find a user by object id or UPN (case-insensitive)."""
        wanted = id_or_upn.lower()
        with self._lock:
            return self._users.get(wanted) or self._users.get(self._ids_by_upn.get(wanted, ""))

    def users(self, tenant_id: str | None = None) -> list[User]:
        """All users (of one tenant when tenant_id is given), ordered by UPN."""
        with self._lock:
            if tenant_id not in self._sorted:
                found = [u for u in self._users.values() if tenant_id in (None, u.tenant_id)]
                self._sorted[tenant_id] = sorted(found, key=lambda u: u.upn.lower())
            return list(self._sorted[tenant_id])

    def app(self, client_id: str) -> AppRegistration | None:
        """Find an app registration by client id."""
        with self._lock:
            return self._apps.get(client_id.lower())

    def apps(self) -> list[AppRegistration]:
        """All app registrations."""
        with self._lock:
            return list(self._apps.values())

    def exposed_api(self, resource: str) -> AppRegistration | None:
        """The app registered as an API (with an App ID URI) that resource names, if any."""
        with self._lock:
            apps = list(self._apps.values())
        return next((a for a in apps if a.exposes_api and a.is_named_by(resource)), None)

    def put_app(self, record: Mapping[str, Any]) -> AppRegistration:
        """Register an app, or update the fields given for an existing one."""
        with self._lock:
            existing = self._apps.get(str(record.get("client_id", "")).lower())
            app = app_from_record(record, self.default_tenant.id, existing)
            self._apps[app.client_id.lower()] = app
        return app

    def add_groups(self, record: Mapping[str, Any]) -> list[Group]:
        """Add the group(s) of a seed or control record, with its "members" (ids or UPNs)."""
        members = record.get("members", [])
        if not isinstance(members, list) or not all(isinstance(m, str) for m in members):
            raise ValueError("members must be a list of user ids or UPNs")
        tenant = self.tenant(str(record.get("tenant_id", ""))) or self.default_tenant
        users = [self.existing_user(member) for member in members]
        groups = groups_from_record(record, tenant.id)
        with self._lock:
            for group in groups:
                self.memberships.put_group(group)
                for user in users:
                    self.memberships.add_member(group.id, user.id)
        return groups

    def existing_user(self, id_or_upn: str) -> User:
        """The user named, or ValueError."""
        user = self.user(id_or_upn)
        if user is None:
            raise ValueError(f"no user {id_or_upn}")
        return user

    def principal_id(self, reference: str) -> str:
        """The object id of a user (id or UPN), an app's service principal or a group."""
        user = self.user(reference)
        if user is not None:
            return user.id
        client = self.app(reference)
        if client is not None:
            return service_principal_id(client.client_id)
        group = self.memberships.group(reference)
        if group is None:
            raise ValueError(f"no user or group {reference}")
        return group.id

    def assign_app_role(self, record: Mapping[str, Any]) -> dict[str, str]:
        """Assign (or with "revoke" remove) an app role: {client_id, role, principal}."""
        app = self.app(str(record.get("client_id") or ""))
        if app is None:
            raise ValueError(f"no app registration {record.get('client_id')}")
        role, principal = str(record.get("role") or ""), str(record.get("principal") or "")
        principal_id = self.principal_id(principal)
        if record.get("revoke"):
            self.memberships.unassign_role(app, role, principal_id)
        else:
            role = self.memberships.assign_role(app, role, principal_id)
        return {"client_id": app.client_id, "role": role, "principal": principal_id}

    def grant_consent(self, client_id: str, principal: str, scopes: list[str]) -> None:
        """Record consent by principal (a user id or AllPrincipals) for client_id."""
        key = (client_id.lower(), principal.lower())
        with self._lock:
            self._consents.setdefault(key, set()).update(canonical_scope(s) for s in scopes)

    def revoke_consent(self, client_id: str, principal: str) -> None:
        """Forget every consent principal gave to client_id."""
        with self._lock:
            self._consents.pop((client_id.lower(), principal.lower()), None)

    def consented_scopes(self, client_id: str, user_id: str) -> set[str]:
        """Canonical scopes consented for client_id, by the user or tenant-wide."""
        with self._lock:
            scopes = set(self._consents.get((client_id.lower(), ALL_PRINCIPALS.lower()), ()))
            scopes |= self._consents.get((client_id.lower(), user_id.lower()), set())
        return scopes

    def revoke_sign_in_sessions(self, user_id: str) -> int:
        """Revoke every token issued to the user before the next whole second; return it.

        Token times have one-second resolution, so waiting for the next second boundary makes
        "issued before the revocation" unambiguous.
        """
        boundary = math.floor(time.time()) + 1
        time.sleep(max(0.0, boundary - time.time()))
        with self._lock:
            self._revoked_at[user_id] = boundary
        return boundary

    def revoked_at(self, user_id: str) -> int | None:
        """When the user's sessions were last revoked, if ever."""
        with self._lock:
            return self._revoked_at.get(user_id)


def load_seed(path: Path) -> dict[str, Any]:
    """Read and minimally check a seed file."""
    seed = json.loads(path.read_text("utf-8"))
    if not isinstance(seed, dict) or not seed.get("tenants"):
        raise ValueError(f"{path}: a seed needs at least one tenant")
    return seed
