"""Driving the emulator's control API from tests: faults, counters, revocation."""

from __future__ import annotations

from typing import Any

import requests

from native_stack.stack import NativeStack


class EmulatorControl:
    """A client of one running emulator's /_control API, trusting its CA."""

    def __init__(self, stack: NativeStack) -> None:
        self._base = stack.emulator_url + "/_control"
        self._http = requests.Session()
        self._http.trust_env = False
        self._http.verify = str(stack.ca_file)

    def close(self) -> None:
        """Release connections."""
        self._http.close()

    def __enter__(self) -> EmulatorControl:
        return self

    def __exit__(self, *exc_info: object) -> None:
        """Leave the emulator as it was: no injected fault outlives the test."""
        try:
            self.clear_faults()
        finally:
            self.close()

    def _call(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        answer = self._http.request(method, self._base + path, json=body, timeout=10)
        answer.raise_for_status()
        return answer.json()

    def counts(self) -> dict[str, Any]:
        """Requests received per endpoint kind (and token requests per grant type)."""
        return dict(self._call("GET", "/requests"))

    def reset_counters(self) -> None:
        """Zero the request counters (and the refresh-token counts)."""
        self._call("POST", "/reset-counters")

    def refresh_tokens_spent(self, username: str) -> dict[str, int]:
        """The user's refresh tokens redeemed, and used ones presented again (reused)."""
        by_user = {
            upn.lower(): n for upn, n in self._call("GET", "/refresh-tokens")["users"].items()
        }
        return dict(by_user.get(username.lower(), {"redeemed": 0, "reused": 0}))

    def set_second_factor(self, username: str, *, available: bool, failure: str = "error") -> None:
        """Let username complete the emulator's second factor (step-up), or make it fail:
        with an error, or (failure="without_context") with tokens lacking the context."""
        body = {"available": available, "failure": failure}
        self._call("POST", f"/users/{username}/second-factor", body)

    def add_fault(self, **fault: Any) -> None:
        """Inject a fault (type throttle/unavailable/latency, endpoints, user, count, ...)."""
        self._call("POST", "/faults", fault)

    def clear_faults(self) -> None:
        """Remove every fault."""
        self._call("DELETE", "/faults")

    def revoke(self, username: str) -> None:
        """Revoke a user's sessions and refresh tokens (continuous access evaluation)."""
        self._call("POST", f"/users/{username}/revoke")

    def rotate_keys(self) -> str:
        """Make a new token-signing key (the old one stays published); return its kid."""
        return str(self._call("POST", "/keys/rotate")["active_kid"])

    def revoke_consent(self, client_id: str, principal: str = "AllPrincipals") -> None:
        """Forget the consent principal (a UPN, or tenant-wide) gave the app client_id."""
        self._call(
            "POST", "/consents", {"client_id": client_id, "principal": principal, "revoke": True}
        )

    def grant_consent(self, client_id: str, username: str, scopes: str) -> None:
        """Consent on username's behalf to scopes for the app client_id."""
        self._call(
            "POST", "/consents", {"client_id": client_id, "principal": username, "scopes": scopes}
        )

    def update_app(self, client_id: str, **fields: Any) -> None:
        """Change fields of an app registration (sign_in_audience, redirect_uris, ...)."""
        self._call("POST", "/apps", {"client_id": client_id, **fields})
