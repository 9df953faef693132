"""Sign-out at the logout endpoint: front-channel logout frames, and the quickstart's request."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import jwt
import pytest
from emulator_support import (
    AVERY,
    CLIENT_ID,
    TENANT_ID,
    EmulatorPagesClient,
    RunningEmulator,
    code_for,
    redeem,
)

SEEDED_FRONT_CHANNEL_URL = "http://localhost:5000/logout/frontchannel"
FRONT_CHANNEL_URL = "https://app.example/logout/frontchannel"
OTHER_APP = "6d0f7a1e-8c2b-4e5d-9f3a-1b2c3d4e5f60"


def logout_url(emulator: RunningEmulator, query: str = "") -> str:
    return f"{emulator.url}/{TENANT_ID}/oauth2/v2.0/logout" + (f"?{query}" if query else "")


def frames_in(body: str) -> list[str]:
    return [html.unescape(src) for src in re.findall(r'<iframe src="([^"]+)"', body)]


@pytest.fixture
def front_channel_registered(emulator: RunningEmulator) -> Iterator[str]:
    """The seeded app with another front-channel logout URL, the seeded one back afterwards."""
    update = {"client_id": CLIENT_ID, "front_channel_logout_url": FRONT_CHANNEL_URL}
    emulator.control("POST", "apps", json=update)
    try:
        yield FRONT_CHANNEL_URL
    finally:
        emulator.control(
            "POST", "apps", json={**update, "front_channel_logout_url": SEEDED_FRONT_CHANNEL_URL}
        )


@pytest.fixture
def no_front_channel(emulator: RunningEmulator) -> Iterator[None]:
    """The seeded app without a front-channel logout URL, the seeded one back afterwards."""
    update = {"client_id": CLIENT_ID, "front_channel_logout_url": ""}
    emulator.control("POST", "apps", json=update)
    try:
        yield
    finally:
        emulator.control(
            "POST", "apps", json={**update, "front_channel_logout_url": SEEDED_FRONT_CHANNEL_URL}
        )


def test_the_quickstarts_sign_out_returns_to_a_uri_of_an_app_the_browser_signed_in_to(
    emulator, browser, no_front_channel
):
    # Microsoft's quickstart sends post_logout_redirect_uri alone (no client_id, no hint).
    code_for(emulator, browser, AVERY)
    status, location, _ = browser.fetch(
        "GET", logout_url(emulator, "post_logout_redirect_uri=http%3A%2F%2Flocalhost%3A5000%2F")
    )
    assert status == 302 and location == "http://localhost:5000/"


def test_the_quickstarts_sign_out_frames_the_apps_then_continues(emulator, browser):
    # The seeded app has a front-channel logout URL: the page frames it, then continues.
    code_for(emulator, browser, AVERY)
    status, location, body = browser.fetch(
        "GET", logout_url(emulator, "post_logout_redirect_uri=http%3A%2F%2Flocalhost%3A5000%2F")
    )
    assert status == 200 and location == ""
    [frame] = frames_in(body)
    assert frame.startswith(SEEDED_FRONT_CHANNEL_URL + "?sid=")
    assert 'data-continue="http://localhost:5000/"' in body


def test_the_quickstarts_sign_out_elsewhere_shows_the_signed_out_page(emulator, browser):
    code_for(emulator, browser, AVERY)
    status, location, body = browser.fetch(
        "GET", logout_url(emulator, "post_logout_redirect_uri=https%3A%2F%2Fevil.example%2F")
    )
    assert status == 200 and location == "" and "signed out" in body
    # A browser that signed in to nothing is never sent anywhere either.
    fresh = EmulatorPagesClient(emulator.ca_path)
    status, location, body = fresh.fetch(
        "GET", logout_url(emulator, "post_logout_redirect_uri=http%3A%2F%2Flocalhost%3A5000%2F")
    )
    assert status == 200 and location == "" and "signed out" in body


def test_the_control_api_refuses_a_front_channel_url_that_is_not_absolute(emulator):
    response = emulator.http.post(
        f"{emulator.url}/_control/apps",
        json={"client_id": CLIENT_ID, "front_channel_logout_url": "/logout/frontchannel"},
        timeout=10,
    )
    assert response.status_code == 400 and "front_channel_logout_url" in response.text


def test_sign_out_frames_the_front_channel_url_with_the_sessions_sid(
    emulator, browser, front_channel_registered
):
    apps = emulator.control("GET", "apps")["value"]
    seeded = next(a for a in apps if a["client_id"] == CLIENT_ID)
    assert seeded["front_channel_logout_url"] == FRONT_CHANNEL_URL
    code, verifier = code_for(emulator, browser, AVERY)
    id_token = redeem(emulator, code, verifier)[1]["id_token"]
    claims = jwt.decode(id_token, options={"verify_signature": False})
    # Signed out as if from another app: no client_id, no hint.
    with browser.session.get(logout_url(emulator), allow_redirects=False, timeout=10) as answer:
        status, body, policy = (
            answer.status_code,
            answer.text,
            answer.headers["Content-Security-Policy"],
        )
    assert status == 200 and "signed out" in body
    [frame] = frames_in(body)
    parts = urlsplit(frame)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == FRONT_CHANNEL_URL
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    assert query == {"sid": claims["sid"], "iss": claims["iss"]}
    assert "frame-src https://app.example" in policy
    # The emulator session is over: a second sign-out frames nothing.
    status, _, body = browser.fetch("GET", logout_url(emulator))
    assert status == 200 and frames_in(body) == []


def test_the_app_that_signs_out_is_not_framed(emulator, browser, front_channel_registered):
    # The app asking for sign-out ended its own session: straight back to it.
    code_for(emulator, browser, AVERY)
    query = f"client_id={CLIENT_ID}&post_logout_redirect_uri=http%3A%2F%2Flocalhost%3A5000%2F"
    status, location, _ = browser.fetch("GET", logout_url(emulator, query))
    assert status == 302 and location == "http://localhost:5000/"


def test_sign_out_from_another_app_frames_first_then_continues(
    emulator, browser, front_channel_registered
):
    emulator.control(
        "POST",
        "apps",
        json={
            "client_id": OTHER_APP,
            "display_name": "Another app",
            "redirect_uris": ["https://other.example/signed-in"],
            "post_logout_redirect_uris": ["https://other.example/"],
        },
    )
    code_for(emulator, browser, AVERY)
    query = f"client_id={OTHER_APP}&post_logout_redirect_uri=https%3A%2F%2Fother.example%2F"
    status, location, body = browser.fetch("GET", logout_url(emulator, query))
    assert status == 200 and location == ""
    [frame] = frames_in(body)
    assert frame.startswith(FRONT_CHANNEL_URL + "?sid=")
    assert 'data-continue="https://other.example/"' in body
    assert '<script src="front_channel.js">' in body
    with browser.session.get(
        f"{emulator.url}/{TENANT_ID}/oauth2/v2.0/front_channel.js", timeout=10
    ) as script:
        assert script.status_code == 200 and "data-continue" in script.text
