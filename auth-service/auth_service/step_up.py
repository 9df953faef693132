"""Step-up per route: asking a signed-in user to sign in more strongly, and checking the answer.

A route of the policy (route_policy.py) may need an authentication context (`acrs`, the
Conditional Access context ids c1 to c99) and/or multi-factor authentication (`amr` holding
"mfa"). A user whose sign-in lacks it is not refused: a browser is sent to sign in again with
the claims request (`{"id_token": {"acrs": {"essential": true, "value": "c1"}}}`), an API
client gets 401 with `WWW-Authenticate: Bearer error="insufficient_claims", claims="..."`, as
Microsoft's APIs answer. At the callback, a sign-in that asked for step-up and came back
without it (or with an error) ends on a page that says so, not in another round trip.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from flask import jsonify
from flask.typing import ResponseReturnValue

from auth_service.error_pages import error_page, wants_json
from auth_service.redirect_targets import safe_relative_path
from auth_service.route_policy import RouteRule

STEP_UP_DENIED = "step-up"


@dataclass(frozen=True)
class StepUp:
    """What a sign-in was asked to prove: an authentication context, and/or MFA."""

    auth_context: str | None = None
    mfa: bool = False

    @classmethod
    def of_rule(cls, rule: RouteRule) -> StepUp:
        """What the route asks of the sign-in."""
        return cls(rule.auth_context, rule.mfa)

    @classmethod
    def asked_in(cls, claims_json: str | None) -> StepUp | None:
        """What a sign-in's claims request (JSON text) asked for; None when no step-up."""
        try:
            section = json.loads(claims_json or "{}").get("id_token") or {}
        except (ValueError, AttributeError):
            return None
        if not isinstance(section, dict):
            return None
        acrs, amr = section.get("acrs"), section.get("amr")
        context = acrs.get("value") if isinstance(acrs, dict) else None
        mfa = isinstance(amr, dict) and "mfa" in (amr.get("values") or [])
        if not isinstance(context, str) and not mfa:
            return None
        return cls(context if isinstance(context, str) else None, mfa)

    def claims_request(self) -> str:
        """The OIDC claims request (JSON) that asks the identity platform for this."""
        id_token: dict[str, Any] = {}
        if self.auth_context:
            id_token["acrs"] = {"essential": True, "value": self.auth_context}
        if self.mfa:
            id_token["amr"] = {"essential": True, "values": ["mfa"]}
        return json.dumps({"id_token": id_token}, separators=(",", ":"))

    def met_by(self, id_token_claims: Mapping[str, Any]) -> bool:
        """Whether an ID token's acrs and amr prove what was asked."""
        acrs, amr = id_token_claims.get("acrs"), id_token_claims.get("amr")
        return (
            self.auth_context is None or (isinstance(acrs, list) and self.auth_context in acrs)
        ) and (not self.mfa or (isinstance(amr, list) and "mfa" in amr))


def step_up_answer(rule: RouteRule, original_uri: str) -> ResponseReturnValue:
    """Send a browser to sign in again with the route's claims request, back to where it was
    going; an API client gets 401 with the claims challenge."""
    claims = StepUp.of_rule(rule).claims_request()
    next_path = safe_relative_path(original_uri)
    login = "/login?" + urlencode(
        {"next": next_path, "claims": base64.urlsafe_b64encode(claims.encode()).decode()}
    )
    if wants_json():
        challenge = base64.b64encode(claims.encode()).decode()
        body = {
            "error": {
                "code": "insufficient_claims",
                "message": "This path needs a stronger sign-in; sign in again with the claims.",
                "claims": challenge,
                "login_url": login,
            }
        }
        header = f'Bearer realm="", error="insufficient_claims", claims="{challenge}"'
        return jsonify(body), 401, {"WWW-Authenticate": header, "Cache-Control": "no-store"}
    return "", 302, {"Location": login, "Cache-Control": "no-store"}


def step_up_failed(asked: StepUp, *, error_code: str | None = None) -> ResponseReturnValue:
    """The page for a step-up sign-in that did not prove what was asked: no way round it."""
    needed = "multi-factor authentication" if asked.mfa or not asked.auth_context else ""
    what = needed or "the extra verification your organization asks for this page"
    return error_page(
        403,
        "This page needs a stronger sign-in",
        f"This page asks for {what}, and your sign-in did not complete it. You are still "
        "signed in to everything else. If you cannot complete the verification, ask your "
        "administrator to help you set it up.",
        retry_url="/",
        error_code=error_code or "step_up_not_satisfied",
    )
