"""A person's visits in Chromium on the native stack: the whole visit, photos and initials, the
protected app and failed sign-ins (nginx's own pages: test_page_accessibility.py)."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from native_stack.stack import NativeStack
from tests.support.journey import pick_account, sign_in_from_home, walk_the_whole_visit


def test_sign_in_see_profile_people_and_app_then_sign_out(
    page: Page, browser_stack: NativeStack
) -> None:
    assert browser_stack.registration is not None
    walk_the_whole_visit(page, browser_stack.public_url, browser_stack.registration)


def test_private_pages_are_not_stored(page: Page, browser_stack: NativeStack) -> None:
    assert browser_stack.registration is not None
    sign_in_from_home(page, browser_stack.public_url, browser_stack.registration.usernames[0])
    for path in ("/", "/users", "/app/"):
        response = page.goto(browser_stack.public_url + path)
        assert response is not None and response.ok
        assert response.headers["cache-control"] == "no-store", path


def test_a_user_without_a_photo_sees_initials(page: Page, browser_stack: NativeStack) -> None:
    registration = browser_stack.registration
    assert registration is not None
    sign_in_from_home(page, browser_stack.public_url, registration.usernames[1])
    expect(page.locator("img.photo")).to_be_hidden()
    initials = "".join(word[0] for word in registration.display_names[1].split()[:2])
    expect(page.locator(".avatar .initials")).to_have_text(initials.upper())
    expect(page.locator(".avatar .initials")).to_be_visible()


def test_the_protected_app_sends_the_browser_to_sign_in_and_back(
    page: Page, browser_stack: NativeStack
) -> None:
    registration = browser_stack.registration
    assert registration is not None
    page.goto(browser_stack.public_url + "/app/reports?year=2026&team=a%20b")
    pick_account(page, registration.usernames[2])
    expect(page).to_have_url(browser_stack.public_url + "/app/reports?year=2026&team=a%20b")
    expect(page.locator(".user-name")).to_have_text(registration.display_names[2])


def test_an_expired_sign_in_offers_a_retry_that_works(
    page: Page, browser_stack: NativeStack
) -> None:
    page.goto(browser_stack.public_url + "/getAToken?code=stale&state=stale")
    expect(page.get_by_role("heading", name="Your sign-in did not complete")).to_be_visible()
    expect(page.locator("main")).to_contain_text("expired")
    page.get_by_role("link", name="Sign in again").click()
    expect(page).to_have_url(re.compile(r"/_emulator/"))
    expect(page.get_by_role("heading", name="Pick an account")).to_be_visible()


def test_declining_consent_explains_what_to_do(page: Page, browser_stack: NativeStack) -> None:
    assert browser_stack.registration is not None
    # Asking for a permission nobody granted yet brings up the consent page.
    page.goto(browser_stack.public_url + "/login?scopes=Mail.Read")
    page.locator(
        f"button[name='username'][value='{browser_stack.registration.usernames[3]}']"
    ).click()
    page.get_by_role("button", name="Cancel").click()
    expect(page.get_by_role("heading", name="Your sign-in did not complete")).to_be_visible()
    main = page.locator("main")
    expect(main).to_contain_text("declined")
    expect(main).to_contain_text("What you can do")
    expect(page.locator(".error-code")).to_have_text(re.compile(r"AADSTS65004|access_denied"))
    expect(page.get_by_role("link", name="Sign in again")).to_be_visible()
