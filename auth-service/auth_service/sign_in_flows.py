"""Sign-ins in progress, kept in the browser that started them, sealed, never in Redis.

/login starts an MSAL auth code flow; the callback must find that flow again. Each flow is
kept, keyed by its `state`, in one cookie of the browser that started it (sealed by the
record cipher, so the browser can neither read nor change it): a visitor who never finishes
signing in costs the store nothing, several tabs can sign in at once, and the callback only
completes a sign-in this browser started. At most MAX_FLOWS at once (the oldest gives way),
each for FLOW_SECONDS.

On https the cookie is `__Host-` prefixed (Secure, Path=/, no Domain), so no sibling subdomain
and no plain-http page can plant one, and SameSite=None, because the identity platform's
form_post answer is a cross-site POST. On plain http it carries no SameSite attribute: browsers
then send it with that POST (Chromium only within two minutes of /login, its "Lax+POST" rule).
"""

from __future__ import annotations

import base64
import logging
import time
from dataclasses import dataclass
from typing import Any

import msgspec
from flask import Request, Response

from signin_core.store.record_cipher import RecordCipher, UndecryptableRecordError

log = logging.getLogger(__name__)
FLOW_SECONDS = 600
MAX_FLOWS = 3
MAX_COOKIE_LENGTH = 3800  # below the 4,096 bytes browsers keep per cookie
RECORD_NAME = "signin:sign-in-flows"
# MSAL's flow carries the whole authorize URL; the callback does not need it back.
FLOW_FIELDS_NOT_KEPT = ("auth_uri",)


class KeptFlow(msgspec.Struct):
    """One sign-in in progress: MSAL's flow, where to go after, and when it ends."""

    flow: dict[str, Any]
    next_path: str
    expires_at: float


@dataclass
class FlowsInBrowser:
    """The flows one browser's cookie holds, by state; changed says whether to write it."""

    by_state: dict[str, KeptFlow]
    changed: bool = False


class SignInFlows:
    """Reads, adds, takes and writes the sign-ins in progress of one browser."""

    def __init__(self, cipher: RecordCipher, *, cookie_name: str, secure: bool) -> None:
        self._cipher = cipher
        self.cookie_name = cookie_name
        self._secure = secure
        self._encoder = msgspec.json.Encoder()
        self._decoder = msgspec.json.Decoder(dict[str, KeptFlow])

    def read(self, request: Request) -> FlowsInBrowser:
        """The live flows in the request's cookie; a missing, forged or stale one holds none."""
        value = request.cookies.get(self.cookie_name)
        if not value:
            return FlowsInBrowser({})
        try:
            sealed = _unpadded_b64decode(value)
            kept = self._decoder.decode(
                self._cipher.open(sealed, record_name=RECORD_NAME).plaintext
            )
        except (ValueError, UndecryptableRecordError, msgspec.DecodeError):
            log.info("sign-in flows cookie unreadable, ignored")
            return FlowsInBrowser({}, changed=True)
        now = time.time()
        live = {state: flow for state, flow in kept.items() if flow.expires_at > now}
        return FlowsInBrowser(live, changed=len(live) != len(kept))

    def add(self, flows: FlowsInBrowser, flow: dict[str, Any], next_path: str) -> None:
        """Keep a new flow under its state; the oldest give way beyond MAX_FLOWS, or until the
        cookie fits. Raise ValueError when the new flow alone does not fit in a cookie."""
        kept = {name: value for name, value in flow.items() if name not in FLOW_FIELDS_NOT_KEPT}
        state = str(flow["state"])
        new = KeptFlow(kept, next_path, time.time() + FLOW_SECONDS)
        if len(self._cookie_value(FlowsInBrowser({state: new}))) > MAX_COOKIE_LENGTH:
            raise ValueError("This sign-in asks for more than a browser can keep.")
        flows.by_state[state] = new
        flows.changed = True
        while len(flows.by_state) > MAX_FLOWS or len(self._cookie_value(flows)) > MAX_COOKIE_LENGTH:
            others = [name for name in flows.by_state if name != state]
            oldest = min(others, key=lambda name: flows.by_state[name].expires_at)
            del flows.by_state[oldest]

    def take(self, flows: FlowsInBrowser, state: str | None) -> KeptFlow | None:
        """Remove and return the flow this browser started with state, if it has one."""
        found = flows.by_state.pop(state, None) if state else None
        if found is not None:
            flows.changed = True
        return found

    def write(self, response: Response, flows: FlowsInBrowser) -> None:
        """Set the cookie to the flows left (or delete it when none is), if they changed."""
        if not flows.changed:
            return
        attributes: dict[str, Any] = {
            "path": "/",
            "httponly": True,
            "secure": self._secure,
            "samesite": "None" if self._secure else None,
        }
        if not flows.by_state:
            response.delete_cookie(self.cookie_name, **attributes)
            return
        value = self._cookie_value(flows)
        response.set_cookie(self.cookie_name, value, max_age=FLOW_SECONDS, **attributes)

    def _cookie_value(self, flows: FlowsInBrowser) -> str:
        sealed = self._cipher.seal(self._encoder.encode(flows.by_state), record_name=RECORD_NAME)
        return _unpadded_b64encode(sealed)


def _unpadded_b64encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unpadded_b64decode(text: str) -> bytes:
    if len(text) > MAX_COOKIE_LENGTH:
        raise ValueError("cookie too long")
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
