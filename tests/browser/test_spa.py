"""The example SPA (examples/spa, msal-browser) in Chromium against the emulator: sign in with
the auth code flow and PKCE, see who signed in, call /graph/me with the bearer token, sign out.

Twice: with the emulator under the edge's `/_emulator/` (one origin, as `make dev` runs it),
and with the SPA calling the emulator on its own origin, as a real SPA calls the identity
platform: discovery, keys and the token endpoint cross-origin, through CORS.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from playwright.sync_api import Browser, Page, expect

from native_stack.edge import origin_of
from native_stack.stack import NativeStack, StackOptions
from tests.support.chromium import CHROMIUM_ARGS, chromium_executable
from tests.support.journey import pick_account

SAME_ORIGIN, CROSS_ORIGIN = "emulator under the edge", "emulator on its own origin"


@pytest.fixture(scope="module", params=[SAME_ORIGIN, CROSS_ORIGIN])
def spa_stack(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[NativeStack]:
    """The stack over https (msal-browser needs an https authority) with the SPA at /spa/."""
    running = NativeStack(
        StackOptions(run_dir=tmp_path_factory.mktemp("spa-stack"), tls=True, spa=True)
    )
    if request.param == CROSS_ORIGIN:
        tenant = "5f1e8c2a-3d4b-4e6f-9a7b-0c1d2e3f4a5b"
        running.options.nginx_env.update(
            SPA_AUTHORITY=f"{running.emulator_url}/{tenant}",
            IDENTITY_PLATFORM_ORIGIN=origin_of(running.emulator_url),
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
    """A second Chromium (on the session's Playwright) that trusts this run's nginx and
    emulator certificates, by their keys only, and nothing more."""
    certificates: list[Path] = [
        spa_stack.tls_ca_file.parent / "server.crt",
        spa_stack.ca_file.parent / "server.crt",
    ]
    keys = ",".join(spki_fingerprint(path.read_bytes()) for path in certificates)
    launched = chromium.browser_type.launch(
        executable_path=chromium_executable(),
        args=[*CHROMIUM_ARGS, f"--ignore-certificate-errors-spki-list={keys}"],
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
    token_requests: list[str] = []
    spa_page.on(
        "request",
        lambda r: token_requests.append(r.url) if "/oauth2/v2.0/token" in r.url else None,
    )
    spa_page.goto(spa_stack.spa_url)
    expect(spa_page.locator("#status")).to_have_text("You are not signed in.")
    spa_page.get_by_role("button", name="Sign in with Microsoft").click()
    pick_account(spa_page, username) if "/_emulator/" in spa_page.url else pick_directly(
        spa_page, username
    )
    expect(spa_page).to_have_url(spa_stack.spa_url)
    expect(spa_page.locator("#user-name")).to_have_text(name)
    expect(spa_page.locator("#user-login")).to_have_text(username)
    answer = spa_page.locator("#graph-me")
    expect(answer).to_contain_text("HTTP ")
    assert answer.get_attribute("data-status") == "200", answer.text_content()
    expect(answer).to_contain_text(username)
    # The code was redeemed by the page itself, at the authority its configuration names.
    config = spa_page.evaluate("() => fetch('config.json').then((r) => r.json())")
    assert token_requests and all(url.startswith(config["authority"]) for url in token_requests)

    spa_page.get_by_role("button", name="Sign out").click()
    expect(spa_page).to_have_url(re.compile("^" + re.escape(spa_stack.spa_url) + r"(\?state=|$)"))
    expect(spa_page.locator("#status")).to_have_text("You are not signed in.")
    keys = spa_page.evaluate("() => Object.keys(sessionStorage).join(' ').toLowerCase()")
    assert "idtoken" not in keys and "accesstoken" not in keys, keys


def pick_directly(page: Page, username: str) -> None:
    """On the emulator's own origin, choose username; accept the permissions if asked."""
    page.locator(f"button[name='username'][value='{username}']").click()
    accept = page.locator("button[value='accept']")
    if accept.count():
        accept.click()
