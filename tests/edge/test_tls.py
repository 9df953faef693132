"""nginx's optional https listener, with the certificate native_stack generates."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from native_stack.stack import NativeStack, StackOptions
from tests.edge.edge_support import assert_security_headers, header_values, plain_client
from tests.support.browser import Browser
from tests.support.sign_in import sign_in_through


@pytest.fixture(scope="module")
def tls_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[NativeStack]:
    """The stack with TLS on: PUBLIC_URL is https on nginx's https port."""
    running = NativeStack(
        StackOptions(run_dir=tmp_path_factory.mktemp("tls-stack"), tls=True, graph_workers=1)
    )
    running.start()
    yield running
    running.stop()


def test_sign_in_over_https(tls_stack: NativeStack) -> None:
    assert tls_stack.registration is not None and tls_stack.public_url.startswith("https://")
    browser = Browser()
    browser.http.verify = str(tls_stack.tls_ca_file)
    try:
        landed = sign_in_through(browser, tls_stack.public_url, tls_stack.registration.usernames[0])
        assert landed.url == tls_stack.public_url + "/"
        assert tls_stack.registration.display_names[0] in landed.text
        assert_security_headers(landed, https=True)
        callback = next(step for step in landed.history if "/getAToken" in step.url)
        assert callback.url.startswith(tls_stack.public_url + "/getAToken?")
        cookie = next(c for c in browser.http.cookies if c.name == "signin_session")
        assert cookie.secure
        me = browser.get(tls_stack.public_url + "/graph/me", headers={"Accept": "application/json"})
        assert me.status_code == 200, me.text
        assert_security_headers(me, https=True)
    finally:
        browser.close()


def test_https_errors_carry_hsts_too(tls_stack: NativeStack) -> None:
    with plain_client() as client:
        client.verify = str(tls_stack.tls_ca_file)
        answer = client.get(tls_stack.public_url + "/_auth/check", timeout=10)
    assert answer.status_code == 404
    assert_security_headers(answer, https=True)


def test_the_plain_listener_sends_no_hsts(tls_stack: NativeStack) -> None:
    with plain_client() as client:
        answer = client.get(tls_stack.plain_url + "/healthz", timeout=10)
    assert answer.status_code == 200
    assert header_values(answer, "Strict-Transport-Security") == []
    assert_security_headers(answer)
