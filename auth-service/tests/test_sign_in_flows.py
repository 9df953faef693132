"""Sign-ins in progress kept in the browser: sealed, keyed by state, bounded, expiring."""

from __future__ import annotations

import secrets
import time

import pytest
from auth_service.sign_in_flows import FLOW_SECONDS, MAX_FLOWS, FlowsInBrowser, SignInFlows
from flask import Flask, Response

from signin_core.store.record_cipher import RecordCipher

COOKIE = "signin_session_flows"
CIPHER = RecordCipher(["k" * 43])


def msal_flow(state: str) -> dict[str, object]:
    """A flow as MSAL's initiate_auth_code_flow returns it (with its long authorize URL)."""
    return {
        "state": state,
        "redirect_uri": "https://app.example/getAToken",
        "scope": ["User.ReadBasic.All", "openid", "profile", "offline_access"],
        "auth_uri": "https://login.example/authorize?" + "x" * 900,
        "code_verifier": "v" * 43,
        "nonce": "n" * 43,
        "claims_challenge": None,
    }


def flows_in(flows: SignInFlows, cookie: str | None) -> FlowsInBrowser:
    """What flows reads from a request carrying cookie (or none)."""
    headers = {"Cookie": f"{COOKIE}={cookie}"} if cookie is not None else {}
    with Flask(__name__).test_request_context("/", headers=headers) as context:
        return flows.read(context.request)


def written(flows: SignInFlows, kept: FlowsInBrowser) -> Response:
    response = Response()
    flows.write(response, kept)
    return response


def cookie_written(flows: SignInFlows, kept: FlowsInBrowser) -> str:
    set_cookie = written(flows, kept).headers["Set-Cookie"]
    return set_cookie.split(";", 1)[0].split("=", 1)[1]


def round_trip(flows: SignInFlows, *states: str, cookie: str | None = None) -> str:
    """Add flows for states to what cookie holds; return the cookie written."""
    kept = flows_in(flows, cookie)
    for state in states:
        flows.add(kept, msal_flow(state), "/after")
    return cookie_written(flows, kept)


def test_each_tab_keeps_its_own_flow_by_state() -> None:
    flows = SignInFlows(CIPHER, cookie_name=COOKIE, secure=True)
    cookie = round_trip(flows, "first")
    cookie = round_trip(flows, "second", cookie=cookie)
    kept = flows_in(flows, cookie)
    assert sorted(kept.by_state) == ["first", "second"]
    taken = flows.take(kept, "first")
    assert taken is not None and taken.next_path == "/after"
    assert "auth_uri" not in taken.flow and taken.flow["code_verifier"] == "v" * 43
    assert flows.take(kept, "first") is None  # a flow completes once
    assert flows.take(kept, "never-started") is None
    assert sorted(flows_in(flows, cookie_written(flows, kept)).by_state) == ["second"]


def test_at_most_a_few_at_once_the_oldest_giving_way() -> None:
    flows = SignInFlows(CIPHER, cookie_name=COOKIE, secure=True)
    cookie = None
    for number in range(MAX_FLOWS + 4):
        cookie = round_trip(flows, f"s{number}", cookie=cookie)
        time.sleep(0.01)
    assert cookie is not None and len(cookie) < 4000
    expected = sorted(f"s{n}" for n in range(4, MAX_FLOWS + 4))
    assert sorted(flows_in(flows, cookie).by_state) == expected


def test_a_flow_expires(monkeypatch: pytest.MonkeyPatch) -> None:
    flows = SignInFlows(CIPHER, cookie_name=COOKIE, secure=False)
    cookie = round_trip(flows, "old")
    later = time.time() + FLOW_SECONDS + 1
    monkeypatch.setattr(time, "time", lambda: later)
    assert flows_in(flows, cookie).by_state == {}


@pytest.mark.parametrize("forged", ["", "not-base64!", "A" * 60, "A" * 5000, "%00", "eyJzIjoxfQ"])
def test_a_forged_or_changed_cookie_holds_no_flow(forged: str) -> None:
    flows = SignInFlows(CIPHER, cookie_name=COOKIE, secure=True)
    assert flows_in(flows, forged).by_state == {}
    real = round_trip(flows, "real")
    flipped = real[:-2] + ("A" if real[-2] != "A" else "B") + real[-1]
    assert flows_in(flows, flipped).by_state == {}
    other_key = SignInFlows(RecordCipher(["o" * 43]), cookie_name=COOKIE, secure=True)
    assert flows_in(other_key, real).by_state == {}


@pytest.mark.parametrize(("secure", "expected"), [(True, "SameSite=None"), (False, None)])
def test_the_cookie_survives_the_cross_site_form_post(secure: bool, expected: str | None) -> None:
    flows = SignInFlows(CIPHER, cookie_name=COOKIE, secure=secure)
    kept = flows_in(flows, None)
    flows.add(kept, msal_flow("s"), "/")
    attributes = written(flows, kept).headers["Set-Cookie"]
    assert "HttpOnly" in attributes and "Path=/" in attributes
    assert f"Max-Age={FLOW_SECONDS}" in attributes
    assert ("Secure" in attributes) is secure
    if expected:
        assert expected in attributes
    else:
        assert "SameSite" not in attributes


def test_flows_too_large_for_one_cookie_give_way_to_the_newest() -> None:
    flows = SignInFlows(CIPHER, cookie_name=COOKIE, secure=True)
    kept = flows_in(flows, None)
    for number in range(MAX_FLOWS):
        large = msal_flow(f"s{number}")
        large["claims_challenge"] = secrets.token_urlsafe(1200)  # incompressible
        flows.add(kept, large, "/after")
        time.sleep(0.01)
    assert "s2" in kept.by_state and len(kept.by_state) < MAX_FLOWS
    assert len(written(flows, kept).headers["Set-Cookie"]) < 4096


def test_a_flow_too_large_for_any_cookie_is_refused() -> None:
    flows = SignInFlows(CIPHER, cookie_name=COOKIE, secure=True)
    kept = flows_in(flows, None)
    flows.add(kept, msal_flow("small"), "/")
    huge = msal_flow("huge")
    huge["claims_challenge"] = secrets.token_urlsafe(4000)
    with pytest.raises(ValueError, match="more than a browser can keep"):
        flows.add(kept, huge, "/")
    assert list(kept.by_state) == ["small"]
