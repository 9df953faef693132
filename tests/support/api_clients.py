"""API clients of the stack: tokens for our API from the emulator, got with unmodified MSAL.

The seeded API client (emulator/README.md) signs a user in through the emulator's pages with
the auth code flow, or gets an app-only token with client credentials. forge_token signs claims
with the emulator's own current key, for tokens the platform would never issue (another issuer,
an expired one), so that each check is shown on its own.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin

import jwt
import msal
import requests
from ms_emulator.signing_keys import KEYS_FILE_NAME, read_keys

from native_stack.ports import free_port
from native_stack.stack import NativeStack
from tests.support.browser import forms_on

API_CLIENT_ID = "8d4e2f6a-1b3c-4d5e-9f7a-2c3d4e5f6a7b"
API_CLIENT_SECRET = "dev-only-api-client-secret"


@dataclass
class ApiClient:
    """The seeded API client as MSAL sees it, against one stack's emulator."""

    app: msal.ConfidentialClientApplication
    http: requests.Session
    stack: NativeStack

    @property
    def api_scope(self) -> str:
        """Our API's delegated scope, in full: api://<our client id>/access_as_user."""
        assert self.stack.registration is not None
        return f"api://{self.stack.registration.client_id}/access_as_user"

    def user_token(self, username: str) -> dict[str, Any]:
        """Sign username in through the emulator's pages; MSAL's result for our API's scope."""
        redirect_uri = f"http://localhost:{free_port()}/getAToken"
        flow = self.app.initiate_auth_code_flow(
            [self.api_scope], redirect_uri=redirect_uri, response_mode="form_post"
        )
        with requests.Session() as browser:  # a browser of its own: no one signed in yet
            browser.trust_env = False
            browser.verify = self.http.verify
            picker = browser.get(flow["auth_uri"], timeout=15)
            form = next(
                f for f in forms_on(picker.text) if any(b[1] == username for b in f.buttons)
            )
            name = next(b[0] for b in form.buttons if b[1] == username)
            answer = browser.post(
                urljoin(picker.url, form.action), data={**form.fields, name: username}, timeout=15
            )
        posted = forms_on(answer.text)[0]
        assert posted.action == redirect_uri, answer.text[:500]
        result: dict[str, Any] = self.app.acquire_token_by_auth_code_flow(flow, posted.fields)
        assert "access_token" in result, result
        return result

    def app_token(self, resource: str) -> str:
        """An app-only token for resource (client credentials with <resource>/.default)."""
        result = self.app.acquire_token_for_client([f"{resource}/.default"])
        assert "access_token" in result, result
        return str(result["access_token"])


def api_client(stack: NativeStack, tenant: str | None = None) -> ApiClient:
    """The seeded API client against stack's emulator (its seeded tenant unless told)."""
    assert stack.registration is not None
    http = requests.Session()
    http.trust_env = False
    http.verify = str(stack.ca_file)
    app = msal.ConfidentialClientApplication(
        API_CLIENT_ID,
        client_credential=API_CLIENT_SECRET,
        authority=f"{stack.emulator_url}/{tenant or stack.registration.tenant_id}",
        instance_discovery=False,
        http_client=http,
    )
    return ApiClient(app, http, stack)


def forge_token(stack: NativeStack, claims: dict[str, Any], **changes: Any) -> str:
    """claims with changes (None removes one), signed with the emulator's current key."""
    current = read_keys(stack.run_dir / "emulator" / KEYS_FILE_NAME)[-1]
    forged = {k: v for k, v in {**claims, **changes}.items() if v is not None}
    headers = {"kid": current.kid, "x5t": current.kid}
    return jwt.encode(forged, current.private_key(), algorithm="RS256", headers=headers)


def claims_of(token: str) -> dict[str, Any]:
    """A token's claims, unverified (the test's own look at what the emulator issued)."""
    claims: dict[str, Any] = jwt.decode(token, options={"verify_signature": False})
    return claims


def seconds_ago(seconds: int) -> int:
    """An epoch time this many seconds in the past."""
    return int(time.time()) - seconds
