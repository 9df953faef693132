"""Every page a visitor meets, checked by axe-core at a desktop's and a phone's width: no
accessibility violation, and nothing wider than the phone's screen. nginx's own error pages
(404, 400 for a too-large cookie) look like auth-service's; the footer says whether you are
signed in. Screenshots of the people list and the demo app at the phone's width go to
test-artifacts/."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, expect

from native_stack.stack import NativeStack
from tests.support.chromium import ARTIFACTS_DIR, watch_for_page_problems
from tests.support.journey import pick_account

DESKTOP = {"width": 1100, "height": 800}
PHONE = {"width": 390, "height": 844}
# Cookies over nginx's large_client_header_buffers (4 x 32k): nginx refuses them with 400.
TOO_LARGE_COOKIES = [{"name": f"big{index}", "value": "x" * 4000} for index in range(12)]
# What makes a page look like the others: the computed style of these parts, by property.
LOOK_OF_A_PAGE = {
    "body": ("backgroundColor", "color", "fontFamily", "fontSize"),
    "header.bar": ("backgroundColor", "borderBottomColor", "height"),
    ".brand": ("color", "fontWeight"),
    "main": ("backgroundColor", "borderRadius", "boxShadow", "width", "paddingLeft"),
    "h1": ("fontSize", "fontWeight"),
    ".error-badge": ("backgroundColor", "color", "width"),
    "main .button": ("backgroundColor", "color", "borderRadius"),
    "footer": ("color", "fontSize"),
}


@dataclass
class PageReview:
    """What axe-core and the width check found, page by page, at both widths."""

    axe: Axe = field(default_factory=Axe)
    failures: list[str] = field(default_factory=list)

    def review(self, tab: Page, name: str) -> None:
        """Run axe-core on tab at the desktop's and the phone's width; check its width."""
        for viewport in (DESKTOP, PHONE):
            tab.set_viewport_size(viewport)
            results = self.axe.run(tab)
            if results.violations_count:
                report = results.generate_report()
                self.failures.append(f"{name} at {viewport['width']} px: {report}")
        overflow = tab.evaluate("document.documentElement.scrollWidth")
        if overflow > PHONE["width"]:
            self.failures.append(f"{name} is {overflow} px wide on a {PHONE['width']} px phone")
        tab.set_viewport_size(DESKTOP)

    def check_one_line_each_at_phone_width(self, tab: Page, selector: str) -> None:
        """Each part matching selector (short text, such as an address) is on one line."""
        tab.set_viewport_size(PHONE)
        lines: list[int] = tab.evaluate(
            """selector => [...document.querySelectorAll(selector)].map(part => {
                const text = document.createRange();
                text.selectNodeContents(part);
                return new Set([...text.getClientRects()].map(line => Math.round(line.top))).size;
            })""",
            selector,
        )
        if any(count != 1 for count in lines):
            self.failures.append(f"{selector} at {PHONE['width']} px takes {lines} lines")
        tab.set_viewport_size(DESKTOP)

    def screenshot_at_phone_width(self, tab: Page, file_name: str) -> None:
        """Save tab, whole, at the phone's width in test-artifacts/."""
        tab.set_viewport_size(PHONE)
        ARTIFACTS_DIR.mkdir(exist_ok=True)
        tab.screenshot(path=str(ARTIFACTS_DIR / file_name), full_page=True)
        tab.set_viewport_size(DESKTOP)


@pytest.fixture
def tab(chromium: Browser) -> Iterator[Page]:
    """A tab of its own, failing the test on any policy violation or part of a page missing."""
    context = chromium.new_context(viewport=DESKTOP)
    context.set_default_timeout(15_000)
    opened = context.new_page()
    problems = watch_for_page_problems(opened)
    yield opened
    context.close()
    assert not problems, problems


def test_every_page_has_no_accessibility_violation_at_desktop_and_phone_widths(
    tab: Page, browser_stack: NativeStack
) -> None:
    registration = browser_stack.registration
    assert registration is not None
    base = browser_stack.public_url
    review = PageReview()

    tab.goto(base + "/")
    review.review(tab, "signed-out home")
    tab.goto(base + "/no-such-page")
    review.review(tab, "auth-service's 404")
    tab.goto(base + "/_auth/check")
    review.review(tab, "nginx's 404")

    # A permission nobody granted yet: the emulator's account picker, then its consent page;
    # declining it shows auth-service's sign-in error.
    tab.goto(base + "/login?scopes=Mail.Read")
    expect(tab.get_by_role("heading", name="Pick an account")).to_be_visible()
    review.review(tab, "the emulator's account picker")
    tab.locator(f"button[name='username'][value='{registration.usernames[3]}']").click()
    expect(tab.get_by_role("button", name="Cancel")).to_be_visible()
    review.review(tab, "the emulator's consent page")
    tab.get_by_role("button", name="Cancel").click()
    expect(tab.get_by_role("heading", name="Your sign-in did not complete")).to_be_visible()
    review.review(tab, "auth-service's sign-in error")

    # The emulator remembers who declined: signing in now needs no page of its own.
    name = registration.display_names[3]
    tab.goto(base + "/")
    tab.locator("main").get_by_role("link", name="Sign in with Microsoft").click()
    expect(tab.locator(".profile-name")).to_have_text(name)
    review.review(tab, "profile")

    tab.goto(base + "/users")
    expect(tab.locator("#users-table tbody tr")).to_have_count(len(registration.usernames))
    review.review(tab, "people")
    review.check_one_line_each_at_phone_width(tab, "#users-table td:nth-child(2)")
    review.screenshot_at_phone_width(tab, "people-390px.png")

    tab.goto(base + "/app/")
    expect(tab.locator(".user-name")).to_have_text(name)
    review.review(tab, "demo app")
    review.screenshot_at_phone_width(tab, "demo-app-390px.png")
    tab.goto(base + "/app/profile")
    expect(tab.locator(".profile-name")).to_have_text(name)
    review.review(tab, "demo app's profile")
    tab.goto(base + "/app/echo")
    expect(tab.locator(".socket-state")).to_have_text("open")
    review.review(tab, "demo app's WebSocket echo")

    tab.goto(base + "/logout")
    expect(tab.get_by_role("heading", name="Sign out?")).to_be_visible()
    review.review(tab, "sign-out confirmation")
    tab.get_by_role("button", name="Sign out").click()
    expect(tab).to_have_url(base + "/")
    review.review(tab, "signed-out home after signing out")

    tab.context.add_cookies([{**cookie, "url": base} for cookie in TOO_LARGE_COOKIES])
    response = tab.goto(base + "/")
    assert response is not None and response.status == 400
    review.review(tab, "nginx's 400 for a too-large cookie")

    assert not review.failures, "\n\n".join(review.failures)


def look_of(tab: Page) -> dict[str, dict[str, str]]:
    """The computed style of the parts that make a page's look (LOOK_OF_A_PAGE)."""
    looks: dict[str, dict[str, str]] = tab.evaluate(
        """parts => Object.fromEntries(Object.entries(parts).map(([selector, names]) => {
            const part = document.querySelector(selector);
            const style = part ? getComputedStyle(part) : null;
            return [selector, Object.fromEntries(
                names.map(name => [name, style ? style[name] : "(missing)"]))];
        }))""",
        LOOK_OF_A_PAGE,
    )
    return looks


def test_nginx_s_404_page_looks_like_auth_service_s(tab: Page, browser_stack: NativeStack) -> None:
    tab.goto(browser_stack.public_url + "/no-such-page")
    expect(tab.get_by_role("heading", name="Page not found")).to_be_visible()
    auth_service_look = look_of(tab)
    tab.goto(browser_stack.public_url + "/_auth/check")
    expect(tab.get_by_role("heading", name="Page not found")).to_be_visible()
    assert look_of(tab) == auth_service_look


def test_the_400_page_for_a_too_large_cookie_is_styled(
    tab: Page, browser_stack: NativeStack
) -> None:
    tab.goto(browser_stack.public_url + "/_auth/check")
    nginx_look = look_of(tab)
    base = browser_stack.public_url
    tab.context.add_cookies([{**cookie, "url": base} for cookie in TOO_LARGE_COOKIES])
    response = tab.goto(base + "/")
    assert response is not None and response.status == 400
    expect(tab.get_by_role("heading", name="We could not read that request")).to_be_visible()
    assert look_of(tab) == nginx_look


def test_the_footer_says_signed_in_only_to_who_is(tab: Page, browser_stack: NativeStack) -> None:
    registration = browser_stack.registration
    assert registration is not None
    footer = tab.locator("footer")
    for path in ("/", "/no-such-page", "/_auth/check"):
        tab.goto(browser_stack.public_url + path)
        expect(footer).to_contain_text("Microsoft Entra ID")
        expect(footer).not_to_contain_text("Signed in")
    tab.goto(browser_stack.public_url + "/")
    tab.locator("main").get_by_role("link", name="Sign in with Microsoft").click()
    pick_account(tab, registration.usernames[0])
    expect(footer).to_contain_text("Signed in through Microsoft Entra ID")
