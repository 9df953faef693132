"""Only plain paths on our own origin are accepted as places to return to."""

from __future__ import annotations

import pytest
from auth_service.redirect_targets import safe_relative_path

# Every entry tries to leave the origin, smuggle a header or script, or confuse a parser.
# tests/edge/test_redirect_targets_through_stack.py signs in with each of them too.
REFUSED = [
    None,
    "",
    # absolute and scheme-relative URLs
    "https://evil.example/",
    "HTTPS://evil.example/",
    "http://127.0.0.1/",
    "//evil.example",
    "///evil.example",
    "////evil.example",
    "http:/evil.example",
    "https:evil.example",
    "http:\\\\evil.example",
    "ftp://evil.example/",
    # backslashes, which browsers read as slashes
    "/\\evil.example",
    "\\\\evil.example",
    "\\/evil.example",
    "/\\/evil.example",
    "/%5Cevil.example",
    "/%5c%5cevil.example",
    # percent-encoded slashes, once and twice
    "/%2F%2Fevil.example",
    "/%2f%2fevil.example",
    "%2F%2Fevil.example",
    "/%252F%252Fevil.example",
    "/%2F/evil.example",
    # dot segments that collapse into //
    "/.//evil.example",
    "/..//evil.example",
    "/%2e%2e//evil.example",
    "/a/../..//evil.example",
    # script and data URLs
    "javascript:alert(1)",
    "JavaScript:alert(1)",
    " javascript:alert(1)",
    "java\tscript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "vbscript:msgbox(1)",
    # whitespace and control characters, raw and encoded
    "/\tevil",
    "/\nevil",
    "/\revil",
    "\t//evil.example",
    " //evil.example",
    "/ /evil.example",
    "/%09/evil.example",
    "/%0d%0aSet-Cookie:x=1",
    "/%0aLocation:%20https://evil.example",
    "/\x00evil",
    "/%00evil",
    "/%7F",
    "/%C2%85evil",
    # user-info in URLs
    "//user:pass@evil.example/",
    "https://ok.example@evil.example/",
    "//@evil.example",
    # unicode tricks: look-alike slashes and dots, direction overrides, wide characters
    "/\uff0fevil.example",
    "\uff0f\uff0fevil.example",
    "/\u2215\u2215evil.example",
    "//evil\u3002example",
    "/\u202eelpmaxe.live//",
    "/caf\u00e9",
    "/\u200b/evil.example",
    # not paths at all
    "relative/path",
    "evil.example",
    "?next=//evil.example",
    "#//evil.example",
    "/" + "a" * 3000,
]

KEPT = [
    "/",
    "/graph/me",
    "/users",
    "/app/page?x=1&y=2#top",
    "/app/report?return=https://evil.example",
    "/a%20b",
    "/caf%C3%A9",
    "/@evil.example",
    "/javascript:alert(1)",
    "/app/",
]


@pytest.mark.parametrize("target", REFUSED)
def test_tricky_targets_fall_back_to_home(target: str | None) -> None:
    assert safe_relative_path(target) == "/"


@pytest.mark.parametrize("target", KEPT)
def test_plain_paths_are_kept(target: str) -> None:
    assert safe_relative_path(target) == target


def test_the_default_is_the_caller_s_choice() -> None:
    assert safe_relative_path("//evil.example", default="/users") == "/users"
