"""The emulator's seeded tenant, app registration and users, as the stack uses them."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests
from ms_emulator.settings import default_seed_path

SEED_FILE = default_seed_path()  # the installed emulator's own seed


@dataclass(frozen=True)
class EmulatorRegistration:
    """What the services need to sign in against the emulator, and who can sign in."""

    tenant_id: str
    client_id: str
    client_secret: str
    usernames: list[str]
    display_names: list[str]


def read_seeded_registration(seed_file: Path | None = None) -> EmulatorRegistration:
    """Read the first tenant, app and that tenant's users from the emulator's seed file."""
    path = seed_file or Path(os.environ.get("EMULATOR_SEED_FILE") or SEED_FILE)
    seed: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    app = seed["apps"][0]
    tenant_id = seed["tenants"][0]["id"]
    users = [user for user in seed["users"] if user.get("tenant_id", tenant_id) == tenant_id]
    return EmulatorRegistration(
        tenant_id=tenant_id,
        client_id=app["client_id"],
        client_secret=app["client_secrets"][0],
        usernames=[user["userPrincipalName"] for user in users],
        display_names=[user["displayName"] for user in users],
    )


class AppRegistrations:
    """The emulator's app registrations, changed through its control API for one stack: the
    addresses that depend on the stack's port and scheme are registered at start."""

    def __init__(self, emulator_url: str, ca_file: Path) -> None:
        self._url = f"{emulator_url}/_control/apps"
        self._ca_file = ca_file

    def update(
        self,
        client_id: str,
        *,
        add: dict[str, list[str]] | None = None,
        set_fields: dict[str, str] | None = None,
    ) -> None:
        """Append to the registration's lists in add, and set the fields in set_fields."""
        with requests.Session() as http:
            http.trust_env = False
            http.verify = str(self._ca_file)
            change: dict[str, Any] = {"client_id": client_id, **(set_fields or {})}
            if add:
                apps = http.get(self._url, timeout=10)
                apps.raise_for_status()
                app = next(a for a in apps.json()["value"] if a["client_id"] == client_id)
                change.update({name: [*app[name], *values] for name, values in add.items()})
            http.post(self._url, json=change, timeout=10).raise_for_status()
