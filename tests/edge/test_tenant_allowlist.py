"""A multi-tenant sign-in (the `organizations` authority) with ALLOWED_TENANTS: a user of a
tenant not on the list cannot sign in, and is told why; one of a listed tenant can."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from native_stack.emulator_registration import read_seeded_registration
from native_stack.stack import NativeStack, StackOptions
from tests.support.browser import Browser

# The emulator's second tenant (emulator/README.md), not on the list below.
NORTHWIND_USER = "riley.novak@northwind.example"


@pytest.fixture(scope="module")
def allowlist_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[NativeStack]:
    """Any organization's users may reach the sign-in; only the seeded tenant's may enter."""
    running = NativeStack(
        StackOptions(
            run_dir=tmp_path_factory.mktemp("allowlist-stack"),
            graph_workers=1,
            authority_tenant="organizations",
            service_env={"ALLOWED_TENANTS": read_seeded_registration().tenant_id},
        )
    )
    running.start()
    yield running
    running.stop()


def test_a_user_of_a_tenant_not_allowed_cannot_sign_in(allowlist_stack: NativeStack) -> None:
    with Browser() as browser:
        picker = browser.get(allowlist_stack.public_url + "/login")
        assert NORTHWIND_USER in picker.text  # the authority lets any organization sign in
        landed = browser.submit(picker, button=NORTHWIND_USER)
        assert landed.status_code == 403, landed.text[:300]
        assert "Your organization is not allowed" in landed.text
        assert "tenant_not_allowed" in landed.text
        assert browser.get(allowlist_stack.public_url + "/graph/me").status_code == 401
    with allowlist_stack.redis_client() as client:
        assert not list(client.scan_iter("signin:session:*"))
        assert not list(client.scan_iter("signin:{user:*}:tokencache:*"))


def test_a_user_of_an_allowed_tenant_signs_in(allowlist_stack: NativeStack) -> None:
    assert allowlist_stack.registration is not None
    with Browser() as browser:
        picker = browser.get(allowlist_stack.public_url + "/login")
        landed = browser.submit(picker, button=allowlist_stack.registration.usernames[0])
        assert landed.status_code == 200 and landed.url == allowlist_stack.public_url + "/"
        assert browser.get(allowlist_stack.public_url + "/graph/me").status_code == 200
