"""Registering the app a credential test signs in with, through the emulator's control API."""

from __future__ import annotations

from typing import Any

import requests

from native_stack.stack import NativeStack

# What the seeded app has consented tenant-wide, so sign-in asks no consent.
CONSENTED_SCOPES = "openid profile offline_access email User.Read User.ReadBasic.All"

# MSAL refreshes access tokens with 5 minutes or less left: every Graph call is then a refresh
# by graph-service, so graph-service proves its own credential too.
ALWAYS_STALE_ACCESS_TOKENS = {"EMULATOR_ACCESS_TOKEN_LIFETIME": "300"}


def _control(stack: NativeStack, path: str, body: dict[str, Any]) -> dict[str, Any]:
    with requests.Session() as http:
        http.trust_env = False
        url = f"{stack.emulator_url}/_control/{path}"
        answer = http.post(url, json=body, verify=str(stack.ca_file), timeout=10)
    answer.raise_for_status()
    result: dict[str, Any] = answer.json()
    return result


def register_app_without_secret(
    stack: NativeStack,
    client_id: str,
    *,
    certificate_pems: list[str] | None = None,
    federated_credentials: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """Register (or update) an app whose only credentials are certificates or federated ones."""
    app = _control(
        stack,
        "apps",
        {
            "client_id": client_id,
            "display_name": "signin-stack without a secret",
            "client_secrets": [],
            "certificates": certificate_pems or [],
            "federated_credentials": federated_credentials or [],
            "redirect_uris": [stack.public_url + "/getAToken"],
            "post_logout_redirect_uris": [stack.public_url + "/"],
        },
    )
    _control(stack, "consents", {"client_id": client_id, "scopes": CONSENTED_SCOPES})
    return app


def token_requests_by_grant(stack: NativeStack) -> dict[str, int]:
    """How many token requests the emulator answered, per grant type."""
    with requests.Session() as http:
        http.trust_env = False
        answer = http.get(
            f"{stack.emulator_url}/_control/requests", verify=str(stack.ca_file), timeout=10
        )
    answer.raise_for_status()
    counts: dict[str, int] = answer.json()["token_by_grant_type"]
    return counts
