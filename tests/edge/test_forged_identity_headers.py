"""Identity and forwarding headers a client sends never reach an upstream: graph-service's
place (a header probe here) and the protected app see only what nginx decided."""

from __future__ import annotations

import base64
import json

import pytest

from native_stack.stack import NativeStack
from signin_core.identity.assertions import IdentityAssertions
from tests.edge.edge_support import plain_client
from tests.edge.gateway_identity_headers import (
    GATEWAY_IDENTITY_HEADERS,
    forged,
    forged_arrivals,
)
from tests.edge.stand_ins import HeaderProbe
from tests.support.browser import Browser

VICTIM_PRINCIPAL = base64.b64encode(
    json.dumps({"auth_typ": "aad", "claims": [{"typ": "name", "val": "Victim"}]}).encode()
).decode()

FORGED_IDENTITY = {
    "X-User-Assertion": "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ2aWN0aW0ifQ.",
    "X-User-Id": "00000000-0000-0000-0000-00000000dead",
    "X-User-Name": "Victim",
    "X-User-Email": "victim@evil.example",
    "X-User-Tenant": "evil-tenant",
    "X-Client-Principal": VICTIM_PRINCIPAL,
    "X-MS-CLIENT-PRINCIPAL": VICTIM_PRINCIPAL,
    "X-MS-CLIENT-PRINCIPAL-ID": "victim-id",
    "X-MS-CLIENT-PRINCIPAL-NAME": "victim@evil.example",
    "X-MS-CLIENT-PRINCIPAL-IDP": "evil-idp",
    "X-MS-TOKEN-AAD-ID-TOKEN": "forged",
    "X-MS-TOKEN-AAD-ACCESS-TOKEN": "forged",
    "X-Forwarded-User": "victim",
    "X-Forwarded-Email": "victim@evil.example",
    "X-Forwarded-Access-Token": "forged",
    "X-Auth-Request-User": "victim",
    "X-Auth-Request-Email": "victim@evil.example",
    "Remote-User": "victim",
    "X-Remote-User": "victim",
}
FORGED_FORWARDING = {
    "X-Forwarded-For": "203.0.113.66",
    "X-Forwarded-Proto": "https",
    "X-Forwarded-Port": "443",
    "X-Real-IP": "203.0.113.66",
    "Forwarded": "for=203.0.113.66;proto=https",
    "X-Original-URI": "/admin",
    "X-Request-Id": "forged-request-id",
}
# nginx drops header names with underscores; the upstream's WSGI server would read them as
# dashes, so they are the classic way around a header filter.
FORGED_UNDERSCORED = {"X_User_Id": "victim-underscore", "X_Client_Principal": VICTIM_PRINCIPAL}
FORGED = {**FORGED_IDENTITY, **FORGED_FORWARDING, **FORGED_UNDERSCORED}
VALUES_ONLY_A_CLIENT_SENT = {value for value in FORGED.values()}


def assert_nothing_forged_arrived(received: dict[str, str]) -> None:
    lowered = {name.lower(): value for name, value in received.items()}
    leaked = {name: value for name, value in lowered.items() if value in VALUES_ONLY_A_CLIENT_SENT}
    assert not leaked, leaked
    for name in ("x-forwarded-user", "remote-user", "forwarded"):
        assert name not in lowered, name
    # App Service's principal header reaches the app as nginx decided it: ours, or nothing.
    if "x-ms-client-principal" in lowered:
        assert lowered["x-ms-client-principal"] == lowered["x-client-principal"]
    assert lowered["x-forwarded-for"] == "127.0.0.1"
    assert lowered["x-forwarded-proto"] == "http"


def test_graph_route_without_a_session_never_reaches_the_upstream(
    edge_stack: NativeStack, header_probe: HeaderProbe
) -> None:
    before = len(header_probe.received)
    with plain_client() as client:
        answer = client.get(edge_stack.public_url + "/graph/me", headers=FORGED, timeout=10)
    assert answer.status_code == 401
    assert len(header_probe.received) == before


def test_graph_upstream_sees_only_what_nginx_decided(
    edge_stack: NativeStack, header_probe: HeaderProbe, signed_in_browser: Browser
) -> None:
    assert edge_stack.registration is not None
    answer = signed_in_browser.get(edge_stack.public_url + "/graph/me", headers=FORGED)
    assert answer.status_code == 200, answer.text
    received = answer.json()["headers"]
    assert_nothing_forged_arrived(received)
    assert received["x-original-uri"] == "/graph/me"
    user = IdentityAssertions(edge_stack.identity_assertion_key).verify(
        received["x-user-assertion"]
    )
    assert user.username.lower() == edge_stack.registration.usernames[0].lower()
    # Identity headers meant for the protected app are not sent to graph-service.
    assert "x-user-id" not in received and "x-client-principal" not in received


def test_protected_app_sees_only_what_nginx_decided(
    edge_stack: NativeStack, signed_in_browser: Browser
) -> None:
    assert edge_stack.registration is not None
    answer = signed_in_browser.get(
        edge_stack.public_url + "/app/whoami", headers={**FORGED, "Accept": "application/json"}
    )
    assert answer.status_code == 200, answer.text
    seen = answer.json()
    assert_nothing_forged_arrived(seen["headers"])
    assert "X-User-Assertion" not in seen["headers"]
    user = seen["user"]
    assert user["email"].lower() == edge_stack.registration.usernames[0].lower()
    assert user["name"] == edge_stack.registration.display_names[0]
    assert user["user_id"] and user["tenant"] == edge_stack.registration.tenant_id
    claims = {claim["typ"]: claim["val"] for claim in user["claims"]}
    assert claims["name"] == edge_stack.registration.display_names[0]
    assert claims["oid"] == user["user_id"]


@pytest.mark.parametrize("accept", ["text/html", "application/json"])
def test_forged_identity_does_not_open_the_protected_app(
    edge_stack: NativeStack, accept: str
) -> None:
    with plain_client() as client:
        answer = client.get(
            edge_stack.public_url + "/app/",
            headers={**FORGED, "Accept": accept},
            allow_redirects=False,
            timeout=10,
        )
    assert answer.status_code in (302, 401)
    assert "Victim" not in answer.text


@pytest.mark.parametrize("gateway", sorted(GATEWAY_IDENTITY_HEADERS))
def test_no_gateway_identity_header_reaches_the_app_or_graph_service(
    edge_stack: NativeStack, header_probe: HeaderProbe, signed_in_browser: Browser, gateway: str
) -> None:
    assert edge_stack.registration is not None
    headers = {**forged(GATEWAY_IDENTITY_HEADERS[gateway]), "Accept": "application/json"}
    app = signed_in_browser.get(edge_stack.public_url + "/app/whoami", headers=headers)
    assert app.status_code == 200, app.text[:300]
    assert not forged_arrivals(app.json()["headers"])
    assert app.json()["user"]["email"].lower() == edge_stack.registration.usernames[0].lower()
    graph = signed_in_browser.get(edge_stack.public_url + "/graph/me", headers=headers)
    assert graph.status_code == 200, graph.text[:300]
    assert not forged_arrivals(graph.json()["headers"])
