"""Turning matched fault rules into delays and error responses."""

from __future__ import annotations

import time

from flask import Response

from ms_emulator.aad_errors import AadError
from ms_emulator.graph_errors import GraphError
from ms_emulator.state import current_state

GRAPH_FAULTS = {
    429: ("TooManyRequests", "Too many requests. The emulator is throttling on purpose."),
    503: ("ServiceUnavailable", "The service is temporarily unavailable (emulated fault)."),
}
IDENTITY_FAULTS = {
    429: (
        "temporarily_unavailable",
        50196,
        "The server terminated an operation because it "
        "encountered a client request loop (emulated throttling).",
    ),
    503: ("temporarily_unavailable", 90033, "A transient error has occurred. Please try again."),
}


def apply_faults(endpoint: str, user: str | None = None) -> Response | None:
    """Sleep for latency faults; return an error response if a 429/503 fault applies."""
    rules = current_state().faults.take(endpoint, user)
    delay_ms = sum(rule.latency_ms for rule in rules)
    if delay_ms:
        time.sleep(delay_ms / 1000)
    failing = next((rule for rule in rules if rule.status is not None), None)
    if failing is None or failing.status is None:
        return None
    headers = {"Retry-After": failing.retry_after}
    if endpoint == "graph":
        code, message = GRAPH_FAULTS[failing.status]
        return GraphError(failing.status, code, message, headers).to_response()
    error, aadsts, text = IDENTITY_FAULTS[failing.status]
    response = AadError(error, aadsts, text, status=failing.status).to_response()
    response.headers.update(headers)
    return response
