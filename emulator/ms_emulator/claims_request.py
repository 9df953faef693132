"""The OIDC `claims` request parameter: client capabilities (xms_cc), CAE challenges, and
step-up: authentication contexts (`acrs`) and multi-factor authentication (`amr`)."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from typing import Any

from ms_emulator.aad_errors import invalid_request


@dataclass(frozen=True)
class ClaimsRequest:
    """What a claims parameter asks for, as far as the emulator acts on it."""

    capabilities: tuple[str, ...] = ()
    min_auth_time: int | None = None
    # Step-up: the authentication contexts asked for as essential (id_token or access_token
    # `acrs`), and whether an essential `amr` asked for "mfa".
    contexts: tuple[str, ...] = ()
    mfa: bool = False


def _parsed(raw: str) -> dict[str, Any]:
    try:
        parsed = json.loads(raw)
    except ValueError:
        raise invalid_request(90019, "The 'claims' parameter is not valid JSON.") from None
    if not isinstance(parsed, dict):
        raise invalid_request(90019, "The 'claims' parameter must be a JSON object.")
    return parsed


def _section(parsed: dict[str, Any], name: str) -> dict[str, Any]:
    section = parsed.get(name) or {}
    return section if isinstance(section, dict) else {}


def _essential_values(request: Any) -> list[str]:
    """The values of an essential claim request ({"essential": true, "value(s)": ...})."""
    if not isinstance(request, dict) or not request.get("essential"):
        return []
    values = request.get("values", [request.get("value")])
    if not isinstance(values, list):
        return []
    return [value for value in values if isinstance(value, str) and value]


def _step_up(parsed: dict[str, Any]) -> tuple[tuple[str, ...], bool]:
    """The contexts and MFA asked for, in the ID token's or the access token's claims."""
    contexts: list[str] = []
    mfa = False
    for name in ("id_token", "access_token"):
        section = _section(parsed, name)
        contexts += _essential_values(section.get("acrs"))
        mfa = mfa or "mfa" in _essential_values(section.get("amr"))
    return tuple(dict.fromkeys(contexts)), mfa


def parse_claims(raw: str | None) -> ClaimsRequest:
    """Parse a claims parameter (absent or empty means no requests)."""
    if not raw or not raw.strip():
        return ClaimsRequest()
    parsed = _parsed(raw)
    section = _section(parsed, "access_token")
    capability_request = section.get("xms_cc") or {}
    values = capability_request.get("values", []) if isinstance(capability_request, dict) else []
    capabilities = tuple(str(v) for v in values if isinstance(v, str))
    nbf = section.get("nbf") or {}
    min_auth_time = None
    if isinstance(nbf, dict) and nbf.get("essential") and nbf.get("value") is not None:
        try:
            min_auth_time = int(float(nbf["value"]))
        except (TypeError, ValueError):
            raise invalid_request(90019, "claims access_token.nbf.value must be a time.") from None
    contexts, mfa = _step_up(parsed)
    return ClaimsRequest(capabilities, min_auth_time, contexts, mfa)


def revocation_challenge(revoked_at: float) -> str:
    """The base64 claims challenge Graph sends after a revocation (CAE)."""
    challenge = {"access_token": {"nbf": {"essential": True, "value": str(int(revoked_at))}}}
    return base64.b64encode(json.dumps(challenge, separators=(",", ":")).encode()).decode()
