"""The app's route policy, checked in auth-service's answer to nginx: a path that needs a role
the user lacks is a 403 (a page for browsers, JSON for API clients), however it is spelled."""

from __future__ import annotations

import base64
import json
import socket
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest

from native_stack.stack import NativeStack
from tests.support.app_stacks import app_stack_with_policy
from tests.support.browser import Browser
from tests.support.emulator_control import EmulatorControl
from tests.support.sign_in import signed_in_as

POLICY = {"routes": [{"path": "/app/admin/", "roles": {"any_of": ["Admin"]}}]}
# The emulator's seed (emulator/README.md, "Roles, groups, group overage and a second tenant").
SAM = "sam.rivera@contoso.example"
JORDAN = "jordan.patel@contoso.example"
CASEY = "casey.brooks@contoso.example"
ENGINEERING = "c1a2b3d4-5e6f-4a7b-8c9d-0e1f2a3b4c5d"
IT_ADMINISTRATORS = "d2b3c4e5-6f70-4b8c-9dae-1f2a3b4c5d6e"


@pytest.fixture(scope="module")
def policy_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[NativeStack]:
    with app_stack_with_policy(tmp_path_factory.mktemp("policy-stack"), POLICY) as running:
        yield running


@pytest.fixture(scope="module")
def without_admin_role(policy_stack: NativeStack) -> Iterator[Browser]:
    """A user the emulator gives no app role."""
    assert policy_stack.registration is not None
    with signed_in_as(policy_stack.public_url, policy_stack.registration.usernames[0]) as browser:
        yield browser


def test_a_path_the_policy_protects_is_403_for_a_user_without_the_role(
    policy_stack: NativeStack, without_admin_role: Browser
) -> None:
    page = without_admin_role.get(policy_stack.public_url + "/app/admin/")
    assert page.status_code == 403
    assert page.headers["Content-Type"].startswith("text/html")
    assert "You do not have access to this page" in page.text
    api = without_admin_role.get(
        policy_stack.public_url + "/app/admin/users", headers={"Accept": "application/json"}
    )
    assert api.status_code == 403
    assert api.json()["error"]["code"] == "forbidden"
    # The rest of the app stays open to every signed-in user.
    assert without_admin_role.get(policy_stack.public_url + "/app/").status_code == 200


@pytest.mark.parametrize(
    "target", ["/app/%61dmin/", "/app/x/../admin/", "//app//admin/", "/app/./admin/x", "/app/admin"]
)
def test_another_spelling_of_a_protected_path_is_refused_too(
    policy_stack: NativeStack, without_admin_role: Browser, target: str
) -> None:
    cookie = without_admin_role.http.cookies["signin_session"]
    address = urlsplit(policy_stack.public_url)
    request = (
        f"GET {target} HTTP/1.1\r\nHost: {address.netloc}\r\nCookie: signin_session={cookie}\r\n"
        "Accept: application/json\r\nConnection: close\r\n\r\n"
    )
    with socket.create_connection((address.hostname, address.port), timeout=10) as connection:
        connection.sendall(request.encode())
        status_line = connection.recv(100).split(b"\r\n", 1)[0]
    assert status_line.split()[1] == b"403", (target, status_line)


def test_without_a_session_the_app_still_asks_to_sign_in(policy_stack: NativeStack) -> None:
    with Browser() as anonymous:
        answer = anonymous.get(policy_stack.public_url + "/app/admin/", allow_redirects=False)
    assert answer.status_code == 302 and "/login" in answer.headers["Location"]


def identity_seen_by_the_app(stack: NativeStack, browser: Browser) -> dict[str, str]:
    seen = browser.get(stack.public_url + "/app/whoami", headers={"Accept": "application/json"})
    return {name.lower(): value for name, value in seen.json()["headers"].items()}


def test_a_user_with_the_role_reaches_the_protected_path(policy_stack: NativeStack) -> None:
    with signed_in_as(policy_stack.public_url, SAM) as sam:  # Admin, assigned directly
        assert sam.get(policy_stack.public_url + "/app/admin/").status_code == 200
        headers = identity_seen_by_the_app(policy_stack, sam)
    assert headers["x-user-roles"] == "Admin"
    assert IT_ADMINISTRATORS in headers["x-user-groups"].split(",")


def test_roles_through_a_group_and_groups_arrive(policy_stack: NativeStack) -> None:
    with signed_in_as(policy_stack.public_url, JORDAN) as jordan:  # Reader, through Engineering
        assert jordan.get(policy_stack.public_url + "/app/admin/").status_code == 403
        headers = identity_seen_by_the_app(policy_stack, jordan)
    assert headers["x-user-roles"] == "Reader"
    assert headers["x-user-groups"].split(",") == [ENGINEERING]
    principal = json.loads(base64.b64decode(headers["x-client-principal"]))
    claims = [(claim["typ"], claim["val"]) for claim in principal["claims"]]
    assert ("roles", "Reader") in claims and ("groups", ENGINEERING) in claims


def test_groups_of_a_user_in_more_than_a_token_carries_come_from_graph(
    policy_stack: NativeStack,
) -> None:
    assert policy_stack.registration is not None
    with EmulatorControl(policy_stack) as emulator:
        emulator.grant_consent(policy_stack.registration.client_id, CASEY, "GroupMember.Read.All")
    with signed_in_as(policy_stack.public_url, CASEY) as casey:  # 211 groups: the overage form
        headers = identity_seen_by_the_app(policy_stack, casey)
    groups = headers["x-user-groups"].split(",")
    assert len(groups) == 211 and ENGINEERING in groups
    principal = json.loads(base64.b64decode(headers["x-client-principal"]))
    assert not [claim for claim in principal["claims"] if claim["typ"] == "groups"]
