"""Two tabs of one Chromium signing in at once: both complete, in either order."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from native_stack.stack import NativeStack
from tests.support.journey import pick_account


def test_two_tabs_signing_in_at_once_both_end_signed_in(
    page: Page, browser_stack: NativeStack
) -> None:
    registration = browser_stack.registration
    assert registration is not None
    public_url = browser_stack.public_url
    first_tab = page
    second_tab = page.context.new_page()
    first_tab.goto(public_url + "/login?next=/users")
    second_tab.goto(public_url + "/login")

    pick_account(second_tab, registration.usernames[2])
    expect(second_tab).to_have_url(public_url + "/")
    pick_account(first_tab, registration.usernames[2])
    expect(first_tab).to_have_url(public_url + "/users")
    for tab in (first_tab, second_tab):
        tab.goto(public_url + "/")
        expect(tab.locator(".profile-name")).to_have_text(registration.display_names[2])
    second_tab.close()
