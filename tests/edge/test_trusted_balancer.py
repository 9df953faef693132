"""Only the configured load balancer is believed about the client's address and scheme."""

from __future__ import annotations

from native_stack.stack import NativeStack
from tests.edge.conftest import OTHER_CLIENT, TRUSTED_BALANCER
from tests.edge.edge_support import assert_security_headers, client_from, header_values
from tests.support.browser import Browser

BALANCER_SAYS = {
    "X-Forwarded-For": "198.51.100.7, 203.0.113.9",
    "X-Forwarded-Proto": "https",
    "Accept": "application/json",
}


def whoami_from(source: str, stack: NativeStack, browser: Browser) -> dict[str, str]:
    with client_from(source) as client:
        client.cookies.update(browser.http.cookies)
        answer = client.get(stack.public_url + "/app/whoami", headers=BALANCER_SAYS, timeout=10)
    assert answer.status_code == 200, answer.text
    seen: dict[str, str] = answer.json()["headers"]
    seen["hsts"] = ",".join(header_values(answer, "Strict-Transport-Security"))
    return seen


def test_the_trusted_balancer_is_believed(
    edge_stack: NativeStack, signed_in_browser: Browser
) -> None:
    seen = whoami_from(TRUSTED_BALANCER, edge_stack, signed_in_browser)
    # The address the balancer appended last is the client it saw.
    assert seen["X-Forwarded-For"] == "203.0.113.9"
    assert seen["X-Forwarded-Proto"] == "https"
    assert seen["hsts"] == "max-age=31536000"


def test_anyone_else_is_not(edge_stack: NativeStack, signed_in_browser: Browser) -> None:
    seen = whoami_from(OTHER_CLIENT, edge_stack, signed_in_browser)
    assert seen["X-Forwarded-For"] == OTHER_CLIENT
    assert seen["X-Forwarded-Proto"] == "http"
    assert seen["hsts"] == ""


def test_hsts_is_only_sent_over_https(edge_stack: NativeStack, signed_in_browser: Browser) -> None:
    answer = signed_in_browser.get(edge_stack.public_url + "/")
    assert_security_headers(answer, https=False)
