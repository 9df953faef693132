"""Signing a browser-like client in through nginx by clicking the emulator's pages."""

from __future__ import annotations

from urllib.parse import parse_qsl

import requests

from tests.support.browser import Browser


def sign_in_through(
    browser: Browser, public_url: str, username: str, path: str = "/login"
) -> requests.Response:
    """Start at public_url + path, pick username, accept consent if asked; return where it lands."""
    sign_in_page = browser.get(public_url + path)
    assert sign_in_page.status_code == 200, sign_in_page.text[:500]
    landed = browser.submit(sign_in_page, button=username)
    if 'value="accept"' in landed.text:
        landed = browser.submit(landed, button="accept")
    assert landed.status_code == 200, landed.text[:500]
    return landed


def signed_in_as(public_url: str, username: str) -> Browser:
    """A new browser signed in as username, at home; close it (or use it in a with block)."""
    browser = Browser()
    try:
        sign_in_through(browser, public_url, username)
    except BaseException:
        browser.close()
        raise
    return browser


def session_cookies_of(public_url: str, usernames: list[str]) -> dict[str, str]:
    """Sign each user in with a browser of their own; return their session cookies by username."""
    cookies: dict[str, str] = {}
    for username in usernames:
        with Browser() as browser:
            sign_in_through(browser, public_url, username)
            cookie = browser.http.cookies.get("signin_session")
            assert cookie, f"{username} has no session cookie after signing in"
            cookies[username] = cookie
    return cookies


def sign_out_through(browser: Browser, public_url: str) -> None:
    """Confirm sign-out on its page, as a person clicks it; land on the signed-out home page."""
    confirm = browser.get(public_url + "/logout")
    assert confirm.status_code == 200, confirm.text[:500]
    back_home = browser.submit(confirm, label="Sign out")
    assert back_home.status_code == 200
    assert back_home.url.rstrip("/") == public_url, back_home.url
    assert "Sign in with Microsoft" in back_home.text


def callback_of(landed: requests.Response) -> tuple[str, dict[str, str]]:
    """The sign-in callback a browser's journey went through: its URL and the form it posted.

    The identity platform answers with response_mode=form_post: the code and state arrive in
    the body of a POST, never in the URL.
    """
    posted = next(step for step in landed.history if step.request.method == "POST")
    assert posted.request.url is not None and "?" not in posted.request.url, posted.request.url
    body = posted.request.body
    text = body.decode() if isinstance(body, bytes) else str(body or "")
    return posted.request.url, dict(parse_qsl(text))
