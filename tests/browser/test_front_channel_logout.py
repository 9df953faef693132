"""Front-channel logout in Chromium: signing out at the identity platform, as if from another
app, ends our session in that browser through the iframe its signed-out page loads."""

from __future__ import annotations

import re
from urllib.parse import urlencode

from playwright.sync_api import Page, expect

from native_stack.stack import NativeStack
from tests.support.journey import sign_in_from_home
from tests.support.session_check_cache import refused_within_revocation_delay
from tests.support.sign_in import signed_in_as

JSON = {"Accept": "application/json"}


def test_signing_out_at_the_identity_platform_ends_our_session_there_only(
    page: Page, browser_stack: NativeStack
) -> None:
    registration = browser_stack.registration
    assert registration is not None
    public_url = browser_stack.public_url
    user, someone_else = registration.usernames[0], registration.usernames[1]
    sign_in_from_home(page, public_url, user)
    assert page.request.get(public_url + "/graph/me", headers=JSON).status == 200
    with (
        signed_in_as(public_url, someone_else) as other_user,
        signed_in_as(public_url, user) as same_user_elsewhere,
    ):
        # Another app's sign-out: the identity platform's logout, no client_id, no hint.
        logout = f"{public_url}/_emulator/{registration.tenant_id}/oauth2/v2.0/logout"
        with page.expect_response(re.compile(r"/logout/frontchannel\?sid=")) as framed:
            page.goto(logout)
        expect(page.get_by_role("heading", name="You signed out of your account")).to_be_visible()
        assert framed.value.status == 200
        frame = next(f for f in page.frames if "/logout/frontchannel" in f.url)
        expect(frame.locator("body")).to_have_text("Signed out.")

        # nginx may pass the session on a path it just checked for a moment (docs/edge.md).
        assert refused_within_revocation_delay(
            lambda: page.request.get(public_url + "/graph/me", headers=JSON).status
        )
        me = page.request.get(public_url + "/graph/me", headers=JSON)
        assert me.status == 401 and me.json()["error"]["code"] == "unauthenticated"
        page.goto(public_url + "/")
        expect(
            page.locator("main").get_by_role("link", name="Sign in with Microsoft")
        ).to_be_visible()
        # Only that identity platform session's: another user, and the same user in another
        # browser (another identity platform session), stay signed in.
        for browser in (other_user, same_user_elsewhere):
            assert browser.get(public_url + "/graph/me", headers=JSON).status_code == 200


def test_the_quickstarts_sign_out_frames_us_then_returns_home(
    page: Page, browser_stack: NativeStack
) -> None:
    registration = browser_stack.registration
    assert registration is not None
    public_url = browser_stack.public_url
    sign_in_from_home(page, public_url, registration.usernames[2])
    # What Microsoft's unmodified quickstart sends: post_logout_redirect_uri alone.
    logout = f"{public_url}/_emulator/{registration.tenant_id}/oauth2/v2.0/logout?" + urlencode(
        {"post_logout_redirect_uri": public_url + "/"}
    )
    with page.expect_response(re.compile(r"/logout/frontchannel\?sid=")) as framed:
        page.goto(logout)
    assert framed.value.status == 200
    # The page's script continues to the return address once the frame has loaded.
    expect(page).to_have_url(public_url + "/")
    expect(page.locator("main").get_by_role("link", name="Sign in with Microsoft")).to_be_visible()
    assert refused_within_revocation_delay(
        lambda: page.request.get(public_url + "/graph/me", headers=JSON).status
    )
