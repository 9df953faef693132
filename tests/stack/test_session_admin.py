"""Session administration through nginx: an admin lists a user's sessions and revokes one or
all of them; everyone else, and every request a cross-site page could forge, is refused."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import redis
import requests

from native_stack.stack import NativeStack
from signin_core.store.keys import session_index_key, token_cache_key
from tests.support.api_clients import ApiClient, api_client, claims_of, forge_token
from tests.support.browser import Browser
from tests.support.session_check_cache import refused_within_revocation_delay
from tests.support.sign_in import sign_in_through, signed_in_as
from tests.support.stack_records import session_record

JSON = {"Accept": "application/json"}
SAM = "sam.rivera@contoso.example"  # holds the dev app's Admin role (seed.json)
JORDAN = "jordan.patel@contoso.example"
TAYLOR = "taylor.okafor@contoso.example"
UNKNOWN_USER = "00000000-0000-4000-8000-00000000abcd"
LAPTOP = "Laptop/1.0 (session-admin test)"
PHONE = "Phone/2.0 (session-admin test)"
OTHER_TENANT = "7a3b9c1d-2e4f-4a6b-8c0d-1e2f3a4b5c6d"


def user_path(stack: NativeStack, browser: Browser) -> str:
    """/api/sessions/<tenant>/<object id> of the user signed in on browser."""
    user = session_record(stack, browser)["user"]
    return f"{stack.public_url}/api/sessions/{user['tid']}/{user['oid']}"


def unsafe_headers(stack: NativeStack) -> dict[str, str]:
    """What a same-origin script sends with DELETE: its Origin and a JSON content type."""
    return {**JSON, "Origin": stack.public_url, "Content-Type": "application/json"}


def listed(admin: Browser, path: str) -> list[dict[str, Any]]:
    answer = admin.get(path, headers=JSON)
    assert answer.status_code == 200, answer.text
    value: list[dict[str, Any]] = answer.json()["value"]
    return value


def graph_status(stack: NativeStack, browser: Browser) -> int:
    return browser.get(stack.public_url + "/graph/me", headers=JSON).status_code


@pytest.fixture
def admin(stack: NativeStack) -> Iterator[Browser]:
    """Sam, signed in: an administrator."""
    with signed_in_as(stack.public_url, SAM) as browser:
        yield browser


@pytest.fixture
def laptop_and_phone(stack: NativeStack) -> Iterator[tuple[Browser, Browser]]:
    """Taylor signed in on two devices, each with its own User-Agent."""
    laptop, phone = Browser(), Browser()
    laptop.http.headers["User-Agent"] = LAPTOP
    phone.http.headers["User-Agent"] = PHONE
    for browser in (laptop, phone):
        sign_in_through(browser, stack.public_url, TAYLOR)
        assert graph_status(stack, browser) == 200
    yield laptop, phone
    laptop.close()
    phone.close()


def test_an_admin_lists_and_revokes_one_session_then_all(
    stack: NativeStack,
    admin: Browser,
    laptop_and_phone: tuple[Browser, Browser],
    stack_redis: redis.Redis,
) -> None:
    assert stack.registration is not None
    laptop, phone = laptop_and_phone
    path = user_path(stack, laptop)
    # Taylor may have sessions of earlier tests too (closing a browser ends nothing).
    devices = {s["device"]: s for s in listed(admin, path)}
    assert {LAPTOP, PHONE} <= set(devices)
    for device in (LAPTOP, PHONE):
        entry = devices[device]
        assert entry["address"] == "127.0.0.1" and not entry["current"]
        assert entry["signed_in_at"].endswith("Z") and entry["last_seen"] >= entry["signed_in_at"]

    phone_session = devices[PHONE]["id"]
    revoked = admin.http.delete(f"{path}/{phone_session}", headers=unsafe_headers(stack))
    assert revoked.status_code == 204, revoked.text
    # nginx may pass a check it just passed for a few seconds more (session_check_cache.py).
    assert refused_within_revocation_delay(lambda: graph_status(stack, phone))
    assert "Sign in with Microsoft" in phone.get(stack.public_url + "/").text
    assert graph_status(stack, laptop) == 200
    left = [s["device"] for s in listed(admin, path)]
    assert LAPTOP in left and PHONE not in left
    again = admin.http.delete(f"{path}/{phone_session}", headers=unsafe_headers(stack))
    assert again.status_code == 404 and again.json()["error"]["code"] == "not_found"

    home_account_id = str(session_record(stack, laptop)["user"]["home_account_id"])
    everything = admin.http.delete(path, headers=unsafe_headers(stack))
    assert everything.status_code == 204, everything.text
    assert refused_within_revocation_delay(lambda: graph_status(stack, laptop))
    assert listed(admin, path) == []
    # As sign-out does: the user's token cache and index are gone from Redis.
    assert not stack_redis.exists(token_cache_key(stack.registration.client_id, home_account_id))
    assert not stack_redis.exists(session_index_key(home_account_id))
    # The admin's own session is untouched.
    assert graph_status(stack, admin) == 200


def test_an_admin_sees_which_session_is_its_own(stack: NativeStack, admin: Browser) -> None:
    # Sam's sessions of earlier tests may still be live (closing a browser ends nothing).
    sessions = listed(admin, user_path(stack, admin))
    [own] = [s for s in sessions if s["current"]]
    assert own["device"] == "stack-tests/1.0" and own["address"] == "127.0.0.1"


def test_the_index_holds_no_session_id(
    stack: NativeStack, laptop_and_phone: tuple[Browser, Browser], stack_redis: redis.Redis
) -> None:
    laptop, phone = laptop_and_phone
    home_account_id = str(session_record(stack, laptop)["user"]["home_account_id"])
    sealed = stack_redis.get(session_index_key(home_account_id))
    assert sealed is not None
    for browser in (laptop, phone):
        cookie = str(browser.http.cookies["signin_session"])
        assert cookie.encode() not in sealed
    assert b"Laptop" not in sealed  # sealed, not plain JSON
    # It expires with the sessions: at most their lifetime (SESSION_MAX_SECONDS, 7 days).
    assert 0 < stack_redis.ttl(session_index_key(home_account_id)) <= 7 * 24 * 3600


def test_an_unknown_user_has_no_sessions(stack: NativeStack, admin: Browser) -> None:
    tenant = session_record(stack, admin)["user"]["tid"]
    assert listed(admin, f"{stack.public_url}/api/sessions/{tenant}/{UNKNOWN_USER}") == []


def test_a_signed_out_caller_gets_401_json(stack: NativeStack, browser: Browser) -> None:
    path = f"{stack.public_url}/api/sessions/{OTHER_TENANT}/{UNKNOWN_USER}"
    answer = browser.get(path, headers=JSON)
    assert answer.status_code == 401 and answer.json()["error"]["code"] == "unauthenticated"


def test_a_user_without_the_admin_role_gets_403_json(stack: NativeStack, admin: Browser) -> None:
    with signed_in_as(stack.public_url, JORDAN) as jordan:
        for target in (jordan, admin):
            answer = jordan.get(user_path(stack, target), headers=JSON)
            assert answer.status_code == 403, answer.text
            assert answer.json()["error"]["code"] == "forbidden"
        deleting = jordan.http.delete(user_path(stack, admin), headers=unsafe_headers(stack))
        assert deleting.status_code == 403
    assert graph_status(stack, admin) == 200


@pytest.mark.parametrize(
    ("headers", "status", "code"),
    [
        ({"Content-Type": "application/json"}, 403, "cross_origin"),  # no Origin
        (
            {"Origin": "https://evil.example", "Content-Type": "application/json"},
            403,
            "cross_origin",
        ),
        (
            {"Origin": "SAME", "Content-Type": "application/x-www-form-urlencoded"},
            400,
            "not_an_api_call",
        ),
        ({"Origin": "SAME", "Content-Type": "text/plain"}, 400, "not_an_api_call"),
    ],
)
def test_an_unsafe_request_a_cross_site_page_could_send_is_refused(
    stack: NativeStack,
    admin: Browser,
    laptop_and_phone: tuple[Browser, Browser],
    headers: dict[str, str],
    status: int,
    code: str,
) -> None:
    laptop, _ = laptop_and_phone
    sent = {k: stack.public_url if v == "SAME" else v for k, v in headers.items()}
    answer = admin.http.delete(user_path(stack, laptop), headers={**JSON, **sent}, data="{}")
    assert answer.status_code == status and answer.json()["error"]["code"] == code
    assert graph_status(stack, laptop) == 200


def test_a_custom_header_stands_for_a_json_body(
    stack: NativeStack, admin: Browser, laptop_and_phone: tuple[Browser, Browser]
) -> None:
    laptop, phone = laptop_and_phone
    headers = {**JSON, "Origin": stack.public_url, "X-Requested-With": "fetch"}
    answer = admin.http.delete(user_path(stack, laptop), headers=headers)
    assert answer.status_code == 204, answer.text
    assert graph_status(stack, laptop) == 401 and graph_status(stack, phone) == 401


def test_other_tenants_and_malformed_addresses_are_refused(
    stack: NativeStack, admin: Browser
) -> None:
    other = admin.get(
        f"{stack.public_url}/api/sessions/{OTHER_TENANT}/{UNKNOWN_USER}", headers=JSON
    )
    assert other.status_code == 403 and other.json()["error"]["code"] == "forbidden"
    malformed = admin.get(f"{stack.public_url}/api/sessions/not-a-tenant/x", headers=JSON)
    assert malformed.status_code == 400 and malformed.json()["error"]["code"] == "invalid_user"


@pytest.fixture(scope="module")
def api_clients(stack: NativeStack) -> Iterator[ApiClient]:
    """The seeded API client (a CLI an administrator runs) against the stack's emulator."""
    built = api_client(stack)
    yield built
    built.http.close()


def bearer(token: str) -> dict[str, str]:
    return {**JSON, "Authorization": f"Bearer {token}"}


def test_an_admins_bearer_token_lists_and_revokes_without_a_session(
    stack: NativeStack, laptop_and_phone: tuple[Browser, Browser], api_clients: ApiClient
) -> None:
    laptop, phone = laptop_and_phone
    path = user_path(stack, laptop)
    token = str(api_clients.user_token(SAM)["access_token"])
    with requests.Session() as cli:  # no cookie, no Origin: a command-line client
        cli.trust_env = False
        answer = cli.get(path, headers=bearer(token), timeout=15)
        assert answer.status_code == 200, answer.text
        sessions = {s["device"]: s for s in answer.json()["value"]}
        assert {LAPTOP, PHONE} <= set(sessions)
        assert not any(s["current"] for s in sessions.values())
        revoked = cli.delete(f"{path}/{sessions[PHONE]['id']}", headers=bearer(token), timeout=15)
        assert revoked.status_code == 204, revoked.text
    assert refused_within_revocation_delay(lambda: graph_status(stack, phone))
    assert graph_status(stack, laptop) == 200


def test_a_bearer_token_without_the_role_or_refused_gets_json_with_the_reason(
    stack: NativeStack, admin: Browser, api_clients: ApiClient
) -> None:
    path = user_path(stack, admin)
    jordan = str(api_clients.user_token(JORDAN)["access_token"])
    with requests.Session() as cli:
        cli.trust_env = False
        not_admin = cli.get(path, headers=bearer(jordan), timeout=15)
        assert not_admin.status_code == 403, not_admin.text
        assert not_admin.json()["error"]["code"] == "forbidden"
        forged = forge_token(stack, claims_of(jordan), aud="api://someone-else")
        refused = cli.get(path, headers=bearer(forged), timeout=15)
        assert refused.status_code == 401, refused.text
        assert "another audience" in refused.headers["WWW-Authenticate"]
        assert refused.json()["error"]["code"] == "invalid_token"
        # A bearer token is judged alone: the admin's cookie beside it does not help.
        admin_cookie = admin.http.cookies
        mixed = cli.get(path, headers=bearer(forged), cookies=admin_cookie, timeout=15)
        assert mixed.status_code == 401
