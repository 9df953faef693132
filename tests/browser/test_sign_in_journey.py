"""A person's whole visit in Chromium: sign in on the emulator's pages, see their name and
photo, open the people list and the protected app, sign out, and find nothing private when
going back."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from native_stack.stack import NativeStack

PRIVATE_MARKERS = (".profile-name", ".profile-email", "#users-table tbody tr", ".user-name")


def pick_account(page: Page, username: str) -> None:
    """On the emulator's sign-in page, choose username; accept the permissions if asked."""
    expect(page).to_have_url(re.compile(r"/_emulator/"))
    page.locator(f"button[name='username'][value='{username}']").click()
    accept = page.locator("button[value='accept']")
    if accept.count():
        accept.click()


def sign_in_from_home(page: Page, stack: NativeStack, username: str) -> None:
    page.goto(stack.public_url + "/")
    page.locator("main").get_by_role("link", name="Sign in with Microsoft").click()
    pick_account(page, username)
    expect(page).to_have_url(stack.public_url + "/")


def assert_nothing_private(page: Page, stack: NativeStack, name: str) -> None:
    for marker in PRIVATE_MARKERS:
        expect(page.locator(marker)).to_have_count(0)
    if page.url.startswith(stack.public_url) and "/_emulator/" not in page.url:
        assert name not in page.content(), page.url


def test_sign_in_see_profile_people_and_app_then_sign_out(
    page: Page, browser_stack: NativeStack
) -> None:
    registration = browser_stack.registration
    assert registration is not None
    username, name = registration.usernames[0], registration.display_names[0]

    sign_in_from_home(page, browser_stack, username)
    expect(page.locator(".profile-name")).to_have_text(name)
    expect(page.locator(".profile-email")).to_have_text(username)
    photo = page.locator("img.photo")
    expect(photo).to_be_visible()
    page.wait_for_function(
        "() => { const p = document.querySelector('img.photo'); "
        "return p.complete && p.naturalWidth > 0; }"
    )

    page.get_by_role("navigation").get_by_role("link", name="People").click()
    expect(page).to_have_url(browser_stack.public_url + "/users")
    rows = page.locator("#users-table tbody tr")
    expect(rows).to_have_count(len(registration.usernames))
    for other in registration.display_names:
        expect(page.locator("#users-table")).to_contain_text(other)

    page.get_by_role("navigation").get_by_role("link", name="Your app").click()
    expect(page).to_have_url(browser_stack.public_url + "/app/")
    expect(page.locator(".user-name")).to_have_text(name)
    expect(page.locator(".user-email")).to_have_text(username)

    page.get_by_role("link", name="Back to sign-in home").click()
    page.get_by_role("navigation").get_by_role("link", name="Sign out").click()
    expect(page.get_by_role("heading", name="Sign out?")).to_be_visible()
    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(browser_stack.public_url + "/")
    expect(page.locator("main").get_by_role("link", name="Sign in with Microsoft")).to_be_visible()
    assert_nothing_private(page, browser_stack, name)

    # Back through history: every private page was no-store, so nothing comes from cache.
    for _ in range(4):
        page.go_back()
        page.wait_for_load_state()
        assert_nothing_private(page, browser_stack, name)


def test_private_pages_are_not_stored(page: Page, browser_stack: NativeStack) -> None:
    assert browser_stack.registration is not None
    sign_in_from_home(page, browser_stack, browser_stack.registration.usernames[0])
    for path in ("/", "/users", "/app/"):
        response = page.goto(browser_stack.public_url + path)
        assert response is not None and response.ok
        assert response.headers["cache-control"] == "no-store", path


def test_a_user_without_a_photo_sees_initials(page: Page, browser_stack: NativeStack) -> None:
    registration = browser_stack.registration
    assert registration is not None
    sign_in_from_home(page, browser_stack, registration.usernames[1])
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


def test_nginx_pages_load_their_stylesheet_under_the_policy(
    page: Page, browser_stack: NativeStack
) -> None:
    response = page.goto(browser_stack.public_url + "/_auth/check")
    assert response is not None and response.status == 404
    expect(page.get_by_role("heading", name="Page not found")).to_be_visible()
    background = page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert background == "rgb(243, 245, 248)"  # from /_edge/edge.css
