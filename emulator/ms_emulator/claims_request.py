"""The OIDC `claims` request parameter: client capabilities (xms_cc) and CAE challenges."""

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


def _access_token_section(raw: str) -> dict[str, Any]:
    try:
        parsed = json.loads(raw)
    except ValueError:
        raise invalid_request(90019, "The 'claims' parameter is not valid JSON.") from None
    if not isinstance(parsed, dict):
        raise invalid_request(90019, "The 'claims' parameter must be a JSON object.")
    section = parsed.get("access_token") or {}
    return section if isinstance(section, dict) else {}


def parse_claims(raw: str | None) -> ClaimsRequest:
    """Parse a claims parameter (absent or empty means no requests)."""
    if not raw or not raw.strip():
        return ClaimsRequest()
    section = _access_token_section(raw)
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
    return ClaimsRequest(capabilities, min_auth_time)


def revocation_challenge(revoked_at: float) -> str:
    """The base64 claims challenge Graph sends after a revocation (CAE)."""
    challenge = {"access_token": {"nbf": {"essential": True, "value": str(int(revoked_at))}}}
    return base64.b64encode(json.dumps(challenge, separators=(",", ":")).encode()).decode()
