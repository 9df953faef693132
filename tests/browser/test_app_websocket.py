"""The demo app's WebSocket echo page in Chromium: a same-origin socket through nginx, allowed
by the edge's Content-Security-Policy (connect-src 'self'), that knows who the user is."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from native_stack.stack import NativeStack
from tests.support.journey import sign_in_from_home


def test_the_echo_page_talks_to_the_app_over_a_websocket(
    page: Page, browser_stack: NativeStack
) -> None:
    registration = browser_stack.registration
    assert registration is not None
    sign_in_from_home(page, browser_stack.public_url, registration.usernames[0])
    with page.expect_websocket() as opened:
        page.goto(browser_stack.public_url + "/app/echo")
    assert opened.value.url == browser_stack.public_url.replace("http", "ws", 1) + "/app/ws/echo"
    expect(page.locator(".socket-state")).to_have_text("open")
    expect(page.locator(".socket-user")).to_have_text(
        f"{registration.display_names[0]} <{registration.usernames[0]}>"
    )
    for text in ("first message", "Zoë 陈, second"):
        page.get_by_label("Message").fill(text)
        page.get_by_role("button", name="Send").click()
    expect(page.locator(".echoed li")).to_have_text(["first message", "Zoë 陈, second"])


OPEN_A_SOCKET = """(url) => new Promise((settle) => {
    const socket = new WebSocket(url);
    socket.addEventListener("open", () => { socket.close(); settle("open"); });
    socket.addEventListener("error", () => settle("refused"));
})"""


def test_after_the_session_is_gone_chromium_cannot_open_the_socket(
    page: Page, browser_stack: NativeStack
) -> None:
    registration = browser_stack.registration
    assert registration is not None
    sign_in_from_home(page, browser_stack.public_url, registration.usernames[0])
    page.goto(browser_stack.public_url + "/app/echo")
    expect(page.locator(".socket-state")).to_have_text("open")
    url = browser_stack.public_url.replace("http", "ws", 1) + "/app/ws/echo"
    assert page.evaluate(OPEN_A_SOCKET, url) == "open"
    page.context.clear_cookies()
    assert page.evaluate(OPEN_A_SOCKET, url) == "refused"
