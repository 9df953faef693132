"""A B2C user flow as AUTHORITY, through the whole stack: the customer signs in (LOGIN_SCOPES
empty: a user flow grants no Graph scopes), and /graph/ answers why it cannot serve, instead
of sending the user to a sign-in that cannot help."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from native_stack.stack import NativeStack, StackOptions
from tests.support.browser import Browser
from tests.support.sign_in import sign_in_through
from tests.support.stack_records import session_record

# The emulator's B2C tenant, its user flow, the dev app's registration there and its customer.
B2C_USER_FLOW = "fabrikamb2c.onmicrosoft.com/B2C_1_signupsignin"
B2C_CLIENT_ID = "7b2e5a9f-3c8d-4f4b-a06e-9d1c4f7b2e58"
B2C_CUSTOMER = "sasha.ivanova@fabrikam-mail.example"


@pytest.fixture(scope="module")
def b2c_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[NativeStack]:
    """The stack with AUTHORITY=<emulator>/<tenant>/<user flow>."""
    running = NativeStack(
        StackOptions(
            run_dir=tmp_path_factory.mktemp("b2c-stack"),
            graph_workers=1,
            authority_tenant=B2C_USER_FLOW,
            service_env={"CLIENT_ID": B2C_CLIENT_ID, "LOGIN_SCOPES": ""},
        )
    )
    running.start()
    yield running
    running.stop()


def test_a_b2c_customer_signs_in_and_graph_says_it_is_not_available(
    b2c_stack: NativeStack,
) -> None:
    with Browser() as browser:
        landed = sign_in_through(browser, b2c_stack.public_url, B2C_CUSTOMER)
        assert landed.url == b2c_stack.public_url + "/" and "Sasha Ivanova" in landed.text
        me = browser.get(b2c_stack.public_url + "/graph/me", headers={"Accept": "application/json"})
        assert me.status_code == 404, me.text
        error = me.json()["error"]
        assert error["code"] == "graph_not_available" and "B2C" in error["message"]
        assert "login_url" not in error  # signing in again would not help
        user = session_record(b2c_stack, browser)["user"]
        assert user["username"] == B2C_CUSTOMER  # no preferred_username: the first of emails
