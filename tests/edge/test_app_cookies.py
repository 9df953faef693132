"""The protected app gets the browser's cookies, never our session cookie."""

from __future__ import annotations

import pytest
from auth_service.settings import AuthSettings
from pydantic import ValidationError

from native_stack.stack import NativeStack
from tests.edge.edge_support import DEVELOPMENT_SETTINGS, plain_client
from tests.support.browser import Browser
from tests.support.stack_records import SESSION_COOKIE

JSON = {"Accept": "application/json"}


def cookie_names_the_app_saw(stack: NativeStack, cookie_header: str) -> list[str]:
    with plain_client() as client:
        answer = client.get(
            stack.public_url + "/app/", headers={**JSON, "Cookie": cookie_header}, timeout=10
        )
    assert answer.status_code == 200, answer.text
    seen = answer.json()
    assert seen["user"] is not None  # signed in: nginx read the session before taking it out
    names: list[str] = seen["cookie_names"]
    return names


@pytest.mark.parametrize(
    ("cookie_header", "names_for_the_app"),
    [
        ("{session}", []),
        ("{session}; theme=dark", ["theme"]),
        ("theme=dark; {session}", ["theme"]),
        ("theme=dark; {session}; lang=fi", ["lang", "theme"]),
        ("theme=dark;{session};lang=fi", ["lang", "theme"]),
        # Names that only contain ours, and ours inside another cookie's value, are not ours.
        (
            "x{session_name}=1; {session}; {session_name}x=2",
            [f"{SESSION_COOKIE}x", f"x{SESSION_COOKIE}"],
        ),
        ("theme={session_name}=1; {session}", ["theme"]),
        # Ours twice (a browser sends one per path, or a session and a sign-in in progress):
        # both go. More of ours than that: the app gets no cookies at all.
        ("{session}; theme=dark; {session}", ["theme"]),
        ("{session}; theme=dark; {session}; {session}", []),
        # The cookie of sign-ins in progress is ours too, and so are the __Host- names.
        ("{session}; {session_name}_flows=abc; theme=dark", ["theme"]),
        ("{session_name}_flows=abc; theme=dark; {session}", ["theme"]),
        ("__Host-{session_name}_flows=y; {session}; lang=fi", ["lang"]),
        ("__Host-{session_name}=x; {session}; __Host-{session_name}_flows=y; lang=fi", []),
    ],
)
def test_the_app_gets_its_own_cookies_but_not_the_session(
    edge_stack: NativeStack,
    signed_in_browser: Browser,
    cookie_header: str,
    names_for_the_app: list[str],
) -> None:
    session = f"{SESSION_COOKIE}={signed_in_browser.http.cookies[SESSION_COOKIE]}"
    header = cookie_header.format(session=session, session_name=SESSION_COOKIE)
    assert cookie_names_the_app_saw(edge_stack, header) == names_for_the_app


def test_a_signed_in_browser_keeps_its_session_while_the_app_never_sees_it(
    edge_stack: NativeStack, signed_in_browser: Browser
) -> None:
    signed_in_browser.http.cookies.set("theme", "dark")
    seen = signed_in_browser.get(edge_stack.public_url + "/app/", headers=JSON).json()
    assert seen["cookie_names"] == ["theme"]
    # The same cookies still sign the browser in to Graph: only the app's copy lost one.
    graph = signed_in_browser.get(edge_stack.public_url + "/graph/me", headers=JSON)
    assert graph.status_code == 200


@pytest.mark.parametrize("name", ["signin.session", "sid=1", "a b", "séance", "", "x" * 65])
def test_a_session_cookie_name_nginx_could_not_match_is_refused(name: str) -> None:
    with pytest.raises(ValidationError, match="session_cookie_name"):
        AuthSettings(**DEVELOPMENT_SETTINGS, session_cookie_name=name)


def test_a_host_prefixed_session_cookie_name_is_accepted() -> None:
    settings = AuthSettings(**DEVELOPMENT_SETTINGS, session_cookie_name="__Host-signin_session")
    assert settings.session_cookie_name == "__Host-signin_session"
