"""Only plain paths on our own origin are accepted as places to return to."""

from __future__ import annotations

import pytest
from auth_service.redirect_targets import safe_relative_path

REFUSED = [
    None,
    "",
    "https://evil.example/",
    "//evil.example",
    "///evil.example",
    "/\\evil.example",
    "\\\\evil.example",
    "/%2F%2Fevil.example",
    "%2F%2Fevil.example",
    "javascript:alert(1)",
    "/\tevil",
    "/\nevil",
    "/%0d%0aSet-Cookie:x=1",
    "http:/evil.example",
    "//user:pass@evil.example/",
    "relative/path",
    "/" + "a" * 3000,
]


@pytest.mark.parametrize("target", REFUSED)
def test_tricky_targets_fall_back_to_home(target: str | None) -> None:
    assert safe_relative_path(target) == "/"


@pytest.mark.parametrize("target", ["/", "/graph/me", "/app/page?x=1&y=2#top", "/a%20b"])
def test_plain_paths_are_kept(target: str) -> None:
    assert safe_relative_path(target) == target
