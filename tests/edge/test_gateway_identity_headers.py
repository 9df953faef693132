"""No identity header any gateway uses, sent by a client, reaches an upstream: not
auth-service (its pages, the callback, the session checks), not graph-service, not the app."""

from __future__ import annotations

import uuid

import pytest

from tests.edge.conftest import StandIns, StartLoneEdge
from tests.edge.edge_support import plain_client
from tests.edge.gateway_identity_headers import (
    GATEWAY_IDENTITY_HEADERS,
    forged,
    forged_arrivals,
)

PATHS = ["/", "/login", "/getAToken", "/users", "/graph/me", "/app/whoami"]


@pytest.mark.parametrize("gateway", sorted(GATEWAY_IDENTITY_HEADERS))
def test_no_gateway_identity_header_reaches_any_upstream(
    lone_edge: StartLoneEdge, stand_ins: StandIns, gateway: str
) -> None:
    names = GATEWAY_IDENTITY_HEADERS[gateway]
    edge = lone_edge()
    probes = {"auth-service": stand_ins.auth, "graph-service": stand_ins.graph}
    probes["app"] = stand_ins.app
    before = {place: len(probe.requests) for place, probe in probes.items()}
    marker = uuid.uuid4().hex
    lowered = {name.lower() for name in names}
    with plain_client() as client:
        for path in PATHS:
            answer = client.get(
                f"{edge.url}{path}?marker={marker}",
                headers={**forged(names), "Cookie": "signin_session=" + "s" * 43},
                allow_redirects=False,
                timeout=10,
            )
            assert answer.status_code == 200, (path, answer.status_code, answer.text[:300])
    leaked = {}
    reached = set()
    for place, probe in probes.items():
        for request in probe.requests[before[place] :]:
            reached.add(place)
            # Behind stand-ins nginx sets no identity of its own: none of the names may pass.
            arrived = {
                **forged_arrivals(request.headers),
                **{name: value for name, value in request.headers.items() if name in lowered},
            }
            if arrived:
                leaked[f"{place} {request.path}"] = arrived
    assert reached == set(probes)
    assert not leaked, leaked
