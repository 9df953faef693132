"""The example SPA (examples/spa, msal-browser) in Chromium against the emulator: sign in with
the auth code flow and PKCE, see who signed in, call /graph/me with the bearer token, sign out."""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Iterator

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from playwright.sync_api import Browser, Page, expect

from native_stack.stack import NativeStack, StackOptions
from tests.support.chromium import CHROMIUM_ARGS, chromium_executable
from tests.support.journey import pick_account


@pytest.fixture(scope="module")
def spa_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[NativeStack]:
    """The stack over https (msal-browser needs an https authority) with the SPA at /spa/."""
    running = NativeStack(
        StackOptions(run_dir=tmp_path_factory.mktemp("spa-stack"), tls=True, spa=True)
    )
    running.start()
    yield running
    running.stop()


def spki_fingerprint(certificate_pem: bytes) -> str:
    """base64 SHA-256 of a certificate's public key, as Chromium's SPKI list takes it."""
    public_key = x509.load_pem_x509_certificate(certificate_pem).public_key()
    der = public_key.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return base64.b64encode(hashlib.sha256(der).digest()).decode()


@pytest.fixture(scope="module")
def trusting_chromium(chromium: Browser, spa_stack: NativeStack) -> Iterator[Browser]:
    """A second Chromium (on the session's Playwright) that trusts this run's nginx
    certificate, by its key only, and nothing more."""
    server_cert = (spa_stack.tls_ca_file.parent / "server.crt").read_bytes()
    flag = f"--ignore-certificate-errors-spki-list={spki_fingerprint(server_cert)}"
    launched = chromium.browser_type.launch(
        executable_path=chromium_executable(), args=[*CHROMIUM_ARGS, flag]
    )
    yield launched
    launched.close()


@pytest.fixture
def spa_page(trusting_chromium: Browser) -> Iterator[Page]:
    """A fresh tab; a policy violation or script error fails the test."""
    context = trusting_chromium.new_context()
    context.set_default_timeout(15_000)
    tab = context.new_page()
    problems: list[str] = []
    tab.on(
        "console",
        lambda m: problems.append(m.text) if "Content Security Policy" in m.text else None,
    )
    tab.on("pageerror", lambda error: problems.append(f"script error: {error}"))
    yield tab
    context.close()
    assert not problems, problems


def test_spa_signs_in_and_calls_graph_me_with_its_bearer_token(spa_stack, spa_page):
    registration = spa_stack.registration
    assert registration is not None
    username, name = registration.usernames[0], registration.display_names[0]
    spa_page.goto(spa_stack.spa_url)
    expect(spa_page.locator("#status")).to_have_text("You are not signed in.")
    spa_page.get_by_role("button", name="Sign in with Microsoft").click()
    pick_account(spa_page, username)
    expect(spa_page).to_have_url(spa_stack.spa_url)
    expect(spa_page.locator("#user-name")).to_have_text(name)
    expect(spa_page.locator("#user-login")).to_have_text(username)
    answer = spa_page.locator("#graph-me")
    expect(answer).to_contain_text("HTTP ")
    assert answer.get_attribute("data-status") == "200", answer.text_content()
    expect(answer).to_contain_text(username)

    spa_page.get_by_role("button", name="Sign out").click()
    expect(spa_page).to_have_url(re.compile("^" + re.escape(spa_stack.spa_url) + r"(\?state=|$)"))
    expect(spa_page.locator("#status")).to_have_text("You are not signed in.")
    keys = spa_page.evaluate("() => Object.keys(sessionStorage).join(' ').toLowerCase()")
    assert "idtoken" not in keys and "accesstoken" not in keys, keys
