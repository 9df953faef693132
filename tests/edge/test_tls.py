"""nginx's optional https listener, with the certificate native_stack generates."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import parse_qsl, urljoin, urlsplit

import pytest
import requests

from native_stack.stack import NativeStack, StackOptions
from tests.edge.conftest import OTHER_CLIENT, TRUSTED_BALANCER
from tests.edge.edge_support import (
    assert_security_headers,
    client_from,
    header_values,
    plain_client,
)
from tests.support.browser import Browser, forms_on
from tests.support.sign_in import callback_of, sign_in_through


@pytest.fixture(scope="module")
def tls_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[NativeStack]:
    """The stack with TLS on: PUBLIC_URL is https on nginx's https port. A load balancer at
    TRUSTED_BALANCER may also reach the plain listener, having terminated TLS itself."""
    running = NativeStack(
        StackOptions(
            run_dir=tmp_path_factory.mktemp("tls-stack"),
            tls=True,
            graph_workers=1,
            demo_app=True,
            nginx_env={"TRUSTED_PROXY": f"{TRUSTED_BALANCER}/32"},
        )
    )
    running.start()
    yield running
    running.stop()


def test_sign_in_over_https(tls_stack: NativeStack) -> None:
    assert tls_stack.registration is not None and tls_stack.public_url.startswith("https://")
    with Browser() as browser:
        browser.http.verify = str(tls_stack.tls_ca_file)
        landed = sign_in_through(browser, tls_stack.public_url, tls_stack.registration.usernames[0])
        assert landed.url == tls_stack.public_url + "/"
        assert tls_stack.registration.display_names[0] in landed.text
        assert_security_headers(landed, https=True)
        callback, _ = callback_of(landed)
        assert callback == tls_stack.public_url + "/getAToken"
        # On https the session cookie is __Host- prefixed: Secure, Path=/, no Domain, so
        # browsers take it only from this origin over https (never planted by a sibling).
        cookie = next(c for c in browser.http.cookies if c.name == "__Host-signin_session")
        assert cookie.secure and cookie.path == "/" and not cookie.domain_specified
        assert "signin_session" not in {c.name for c in browser.http.cookies}
        me = browser.get(tls_stack.public_url + "/graph/me", headers={"Accept": "application/json"})
        assert me.status_code == 200, me.text
        assert_security_headers(me, https=True)
        browser.http.cookies.set("theme", "dark")
        app = browser.get(tls_stack.public_url + "/app/", headers={"Accept": "application/json"})
        assert app.json()["cookie_names"] == ["theme"]


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


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_plain_http_is_sent_to_the_same_place_over_https(
    tls_stack: NativeStack, method: str
) -> None:
    with plain_client() as client:
        answer = client.request(
            method, tls_stack.plain_url + "/graph/me?select=id", allow_redirects=False, timeout=10
        )
    assert answer.status_code == 308  # a POST stays a POST
    assert answer.headers["Location"] == tls_stack.public_url + "/graph/me?select=id"
    assert header_values(answer, "Strict-Transport-Security") == []


def test_a_browser_that_starts_on_plain_http_signs_in_over_https(tls_stack: NativeStack) -> None:
    assert tls_stack.registration is not None
    with Browser() as browser:
        browser.http.verify = str(tls_stack.tls_ca_file)
        start = browser.get(tls_stack.plain_url + "/")
        assert start.url == tls_stack.public_url + "/"
        assert start.history[0].status_code == 308
        landed = sign_in_through(browser, start.url, tls_stack.registration.usernames[1])
        assert landed.url == tls_stack.public_url + "/"
        assert all(step.url.startswith("https://") for step in landed.history)


def test_the_trusted_balancer_that_terminated_tls_is_not_redirected(
    tls_stack: NativeStack,
) -> None:
    with client_from(TRUSTED_BALANCER) as balancer:
        answer = balancer.get(
            tls_stack.plain_url + "/",
            headers={"X-Forwarded-Proto": "https"},
            allow_redirects=False,
            timeout=10,
        )
    assert answer.status_code == 200
    assert_security_headers(answer, https=True)


def test_anyone_else_claiming_https_is_redirected(tls_stack: NativeStack) -> None:
    for source, says in [(OTHER_CLIENT, "https"), (TRUSTED_BALANCER, "http")]:
        with client_from(source) as client:
            answer = client.get(
                tls_stack.plain_url + "/",
                headers={"X-Forwarded-Proto": says},
                allow_redirects=False,
                timeout=10,
            )
        assert answer.status_code == 308, (source, says)
        assert answer.headers["Location"] == tls_stack.public_url + "/"


def answer_of(browser: Browser, emulator_answer: requests.Response) -> tuple[str, dict[str, str]]:
    """Where the identity platform sends its answer, and the answer (form_post or query)."""
    form = browser.form_post_answer(emulator_answer)
    if form is not None:
        return form.action, form.fields
    location = urlsplit(emulator_answer.headers["Location"])
    return location._replace(query="").geturl(), dict(parse_qsl(location.query))


def test_a_planted_pre_sign_in_cookie_cannot_sign_a_victim_in_as_someone_else(
    tls_stack: NativeStack,
) -> None:
    """Login CSRF: an attacker starts a sign-in of their own, stops before the callback, and
    plants their cookies in the victim's browser, as a sibling subdomain or a plain-http page
    can (any name but a __Host- one), then sends the victim to the callback with their code."""
    assert tls_stack.registration is not None
    attacker_name = tls_stack.registration.usernames[1]
    with Browser() as attacker, Browser() as victim:
        attacker.http.verify = victim.http.verify = str(tls_stack.tls_ca_file)
        picker = attacker.get(tls_stack.public_url + "/login")
        (form,) = [
            f for f in forms_on(picker.text) if any(b[1] == attacker_name for b in f.buttons)
        ]
        emulator_answer = attacker.http.post(
            urljoin(picker.url, form.action),
            data={**form.fields, "username": attacker_name},
            allow_redirects=False,
        )
        callback, code_and_state = answer_of(attacker, emulator_answer)
        assert "code" in code_and_state
        # Whatever the attacker's sign-in left in their browser, under a name they can plant.
        planted = {
            cookie.name.removeprefix("__Host-"): cookie.value
            for cookie in attacker.http.cookies
            if "signin" in cookie.name
        }
        assert planted

        for name, value in planted.items():
            victim.http.cookies.set(name, value)
        landed = victim.http.post(callback, data=code_and_state, timeout=15)

        assert landed.status_code == 400, landed.text[:300]
        assert "Your sign-in did not complete" in landed.text
        me = victim.get(tls_stack.public_url + "/graph/me", headers={"Accept": "application/json"})
        assert me.status_code == 401
        assert tls_stack.registration.display_names[1] not in victim.get(tls_stack.public_url).text
