"""Every page a visitor meets, checked by axe-core at a desktop's and a phone's width: no
accessibility violation, and nothing wider than the phone's screen (nginx's outage and rate
limit pages too, from nginx alone). nginx's own error pages
(404, 400 for a too-large cookie) look like auth-service's; the footer says whether you are
signed in. Screenshots of the people list and the demo app at the phone's width go to
test-artifacts/."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from native_stack.ports import free_port
from native_stack.stack import NativeStack
from tests.edge.lone_edge import LoneEdge, servers
from tests.support.chromium import ARTIFACTS_DIR
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

    def review(self, page: Page, name: str) -> None:
        """Run axe-core on page at the desktop's and the phone's width; check its width."""
        for viewport in (DESKTOP, PHONE):
            page.set_viewport_size(viewport)
            results = self.axe.run(page)
            if results.violations_count:
                report = results.generate_report()
                self.failures.append(f"{name} at {viewport['width']} px: {report}")
        overflow = page.evaluate("document.documentElement.scrollWidth")
        if overflow > PHONE["width"]:
            self.failures.append(f"{name} is {overflow} px wide on a {PHONE['width']} px phone")
        page.set_viewport_size(DESKTOP)

    def check_one_line_each_at_phone_width(self, page: Page, selector: str) -> None:
        """Each part matching selector (short text, such as an address) is on one line."""
        page.set_viewport_size(PHONE)
        lines: list[int] = page.evaluate(
            """selector => [...document.querySelectorAll(selector)].map(part => {
                const text = document.createRange();
                text.selectNodeContents(part);
                return new Set([...text.getClientRects()].map(line => Math.round(line.top))).size;
            })""",
            selector,
        )
        if any(count != 1 for count in lines):
            self.failures.append(f"{selector} at {PHONE['width']} px takes {lines} lines")
        page.set_viewport_size(DESKTOP)

    def screenshot_at_phone_width(self, page: Page, file_name: str) -> None:
        """Save page, whole, at the phone's width in test-artifacts/."""
        page.set_viewport_size(PHONE)
        ARTIFACTS_DIR.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS_DIR / file_name), full_page=True)
        page.set_viewport_size(DESKTOP)


def test_every_page_has_no_accessibility_violation_at_desktop_and_phone_widths(
    page: Page, browser_stack: NativeStack
) -> None:
    registration = browser_stack.registration
    assert registration is not None
    base = browser_stack.public_url
    review = PageReview()

    page.goto(base + "/")
    review.review(page, "signed-out home")
    page.goto(base + "/no-such-page")
    review.review(page, "auth-service's 404")
    page.goto(base + "/_auth/check")
    review.review(page, "nginx's 404")

    # A permission nobody granted yet: the emulator's account picker, then its consent page;
    # declining it shows auth-service's sign-in error.
    page.goto(base + "/login?scopes=Mail.Read")
    expect(page.get_by_role("heading", name="Pick an account")).to_be_visible()
    review.review(page, "the emulator's account picker")
    page.locator(f"button[name='username'][value='{registration.usernames[3]}']").click()
    expect(page.get_by_role("button", name="Cancel")).to_be_visible()
    review.review(page, "the emulator's consent page")
    page.get_by_role("button", name="Cancel").click()
    expect(page.get_by_role("heading", name="Your sign-in did not complete")).to_be_visible()
    review.review(page, "auth-service's sign-in error")

    # The emulator remembers who declined: signing in now needs no page of its own.
    name = registration.display_names[3]
    page.goto(base + "/")
    page.locator("main").get_by_role("link", name="Sign in with Microsoft").click()
    expect(page.locator(".profile-name")).to_have_text(name)
    review.review(page, "profile")

    page.goto(base + "/users")
    expect(page.locator("#users-table tbody tr")).to_have_count(len(registration.usernames))
    review.review(page, "people")
    review.check_one_line_each_at_phone_width(page, "#users-table td:nth-child(2)")
    review.screenshot_at_phone_width(page, "people-390px.png")

    page.goto(base + "/app/")
    expect(page.locator(".user-name")).to_have_text(name)
    review.review(page, "demo app")
    review.screenshot_at_phone_width(page, "demo-app-390px.png")
    page.goto(base + "/app/profile")
    expect(page.locator(".profile-name")).to_have_text(name)
    review.review(page, "demo app's profile")
    page.goto(base + "/app/echo")
    expect(page.locator(".socket-state")).to_have_text("open")
    review.review(page, "demo app's WebSocket echo")

    page.goto(base + "/logout")
    expect(page.get_by_role("heading", name="Sign out?")).to_be_visible()
    review.review(page, "sign-out confirmation")
    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(base + "/")
    review.review(page, "signed-out home after signing out")

    page.context.add_cookies([{**cookie, "url": base} for cookie in TOO_LARGE_COOKIES])
    response = page.goto(base + "/")
    assert response is not None and response.status == 400
    review.review(page, "nginx's 400 for a too-large cookie")

    assert not review.failures, "\n\n".join(review.failures)


def look_of(page: Page) -> dict[str, dict[str, str]]:
    """The computed style of the parts that make a page's look (LOOK_OF_A_PAGE)."""
    looks: dict[str, dict[str, str]] = page.evaluate(
        """parts => Object.fromEntries(Object.entries(parts).map(([selector, names]) => {
            const part = document.querySelector(selector);
            const style = part ? getComputedStyle(part) : null;
            return [selector, Object.fromEntries(
                names.map(name => [name, style ? style[name] : "(missing)"]))];
        }))""",
        LOOK_OF_A_PAGE,
    )
    return looks


def test_nginx_s_404_page_looks_like_auth_service_s(page: Page, browser_stack: NativeStack) -> None:
    page.goto(browser_stack.public_url + "/no-such-page")
    expect(page.get_by_role("heading", name="Page not found")).to_be_visible()
    auth_service_look = look_of(page)
    page.goto(browser_stack.public_url + "/_auth/check")
    expect(page.get_by_role("heading", name="Page not found")).to_be_visible()
    assert look_of(page) == auth_service_look


def test_the_400_page_for_a_too_large_cookie_is_styled(
    page: Page, browser_stack: NativeStack
) -> None:
    page.goto(browser_stack.public_url + "/_auth/check")
    nginx_look = look_of(page)
    base = browser_stack.public_url
    page.context.add_cookies([{**cookie, "url": base} for cookie in TOO_LARGE_COOKIES])
    response = page.goto(base + "/")
    assert response is not None and response.status == 400
    expect(page.get_by_role("heading", name="We could not read that request")).to_be_visible()
    assert look_of(page) == nginx_look


def test_the_footer_says_signed_in_only_to_who_is(page: Page, browser_stack: NativeStack) -> None:
    registration = browser_stack.registration
    assert registration is not None
    footer = page.locator("footer")
    for path in ("/", "/no-such-page", "/_auth/check"):
        page.goto(browser_stack.public_url + path)
        expect(footer).to_contain_text("Microsoft Entra ID")
        expect(footer).not_to_contain_text("Signed in")
    page.goto(browser_stack.public_url + "/")
    page.locator("main").get_by_role("link", name="Sign in with Microsoft").click()
    pick_account(page, registration.usernames[0])
    expect(footer).to_contain_text("Signed in through Microsoft Entra ID")


def test_nginx_s_outage_and_rate_limit_pages_have_no_violation(page: Page, tmp_path: Path) -> None:
    """The pages nginx shows when a service is down (502; 500 for a check that cannot be
    made) or a client signs in too often (429): nginx alone, its upstreams not listening."""
    nobody = servers(free_port())
    edge = LoneEdge(
        tmp_path / "edge",
        {
            "AUTH_SERVICE_SERVERS": nobody,
            "GRAPH_SERVICE_SERVERS": nobody,
            "APP_UPSTREAM": f"127.0.0.1:{free_port()}",
            "SIGN_IN_RATE_LIMIT": "1r/m",
            "SIGN_IN_RATE_BURST": "1",  # the lowest nginx takes: the third sign-in is refused
        },
    )
    edge.start()
    try:
        review = PageReview()
        for path, status, name in (
            ("/", 502, "nginx's 502 (auth-service down)"),
            ("/app/", 500, "nginx's 500 (the session check cannot be made)"),
            ("/login", 502, "nginx's 502 at sign-in"),
            ("/login", 502, "nginx's 502 at sign-in, within the burst"),
            ("/login", 429, "nginx's 429 (signing in too often)"),
        ):
            response = page.goto(edge.url + path)
            assert response is not None and response.status == status, (path, response)
            expect(page.locator("main h1")).to_be_visible()
            review.review(page, name)
        assert not review.failures, "\n\n".join(review.failures)
    finally:
        edge.stop()
