"""A person's whole visit in Chromium, against any running stack: sign in on the emulator's
pages, see their name and photo, open the people list and the protected app, sign out, and
find nothing private when going back."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from native_stack.emulator_registration import EmulatorRegistration

PRIVATE_MARKERS = (".profile-name", ".profile-email", "#users-table tbody tr", ".user-name")


def pick_account(page: Page, username: str) -> None:
    """On the emulator's sign-in page, choose username; accept the permissions if asked."""
    expect(page).to_have_url(re.compile(r"/_emulator/"))
    page.locator(f"button[name='username'][value='{username}']").click()
    accept = page.locator("button[value='accept']")
    if accept.count():
        accept.click()


def sign_in_from_home(page: Page, public_url: str, username: str) -> None:
    """From the home page, sign in as username and come back home."""
    page.goto(public_url + "/")
    page.locator("main").get_by_role("link", name="Sign in with Microsoft").click()
    pick_account(page, username)
    expect(page).to_have_url(public_url + "/")


def assert_nothing_private(page: Page, public_url: str, name: str) -> None:
    """The page shows nothing of the signed-out user named name."""
    for marker in PRIVATE_MARKERS:
        expect(page.locator(marker)).to_have_count(0)
    if page.url.startswith(public_url) and "/_emulator/" not in page.url:
        assert name not in page.content(), page.url


def walk_the_whole_visit(page: Page, public_url: str, registration: EmulatorRegistration) -> None:
    """Sign in, see profile, people and app, sign out; nothing private is left, even in history."""
    username, name = registration.usernames[0], registration.display_names[0]

    sign_in_from_home(page, public_url, username)
    expect(page.locator(".profile-name")).to_have_text(name)
    expect(page.locator(".profile-email")).to_have_text(username)
    photo = page.locator("img.photo")
    expect(photo).to_be_visible()
    page.wait_for_function(
        "() => { const p = document.querySelector('img.photo'); "
        "return p.complete && p.naturalWidth > 0; }"
    )

    page.get_by_role("navigation").get_by_role("link", name="People").click()
    expect(page).to_have_url(public_url + "/users")
    rows = page.locator("#users-table tbody tr")
    expect(rows).to_have_count(len(registration.usernames))
    for other in registration.display_names:
        expect(page.locator("#users-table")).to_contain_text(other)

    page.get_by_role("navigation").get_by_role("link", name="Your app").click()
    expect(page).to_have_url(public_url + "/app/")
    expect(page.locator(".user-name")).to_have_text(name)
    expect(page.locator(".user-email")).to_have_text(username)

    page.get_by_role("link", name="Back to sign-in home").click()
    page.get_by_role("navigation").get_by_role("link", name="Sign out").click()
    expect(page.get_by_role("heading", name="Sign out?")).to_be_visible()
    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(public_url + "/")
    expect(page.locator("main").get_by_role("link", name="Sign in with Microsoft")).to_be_visible()
    assert_nothing_private(page, public_url, name)

    # Back through history: every private page was no-store, so nothing comes from cache.
    for _ in range(4):
        page.go_back()
        page.wait_for_load_state()
        assert_nothing_private(page, public_url, name)
