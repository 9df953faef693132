"""The quickstart-style baseline the benchmarks compare with: it signs in and calls Graph."""

from __future__ import annotations

from pathlib import Path

from benchmarks.quickstart_baseline.server import BaselineServer
from native_stack.stack import NativeStack
from tests.support.browser import Browser
from tests.support.sign_in import sign_in_through


def test_baseline_signs_in_at_the_emulator_and_serves_graphcall(
    stack: NativeStack, tmp_path: Path
) -> None:
    assert stack.registration is not None
    username = stack.registration.usernames[0]
    with BaselineServer(stack, tmp_path, workers=1) as baseline, Browser() as browser:
        assert browser.get(baseline.url + "/graphcall").status_code == 401
        landed = sign_in_through(browser, baseline.url, username)
        assert landed.url.rstrip("/") == baseline.url and "Signed in as" in landed.text
        users = browser.get(baseline.url + "/graphcall")
        assert users.status_code == 200, users.text[:300]
        assert username in {user["userPrincipalName"] for user in users.json()["value"]}
        me = browser.get(baseline.url + "/me")
        assert me.status_code == 200 and me.json()["userPrincipalName"] == username
        assert any((tmp_path / "sessions").iterdir()), "the session is kept in files"
        signed_out = browser.get(baseline.url + "/logout", allow_redirects=False)
        assert "/oauth2/v2.0/logout?" in signed_out.headers["Location"]
        assert browser.get(baseline.url + "/graphcall").status_code == 401
