"""ALLOWED_TENANTS: a user of a tenant not on the list cannot sign in, and is told why."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from native_stack.stack import NativeStack, StackOptions
from tests.support.browser import Browser

OTHER_TENANT = "11111111-2222-3333-4444-555555555555"


@pytest.fixture(scope="module")
def allowlist_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[NativeStack]:
    """A stack that allows one tenant only, not the seeded users' own."""
    running = NativeStack(
        StackOptions(
            run_dir=tmp_path_factory.mktemp("allowlist-stack"),
            graph_workers=1,
            service_env={"ALLOWED_TENANTS": f"{OTHER_TENANT}, another.example"},
        )
    )
    running.start()
    yield running
    running.stop()


def test_a_user_of_a_tenant_not_allowed_cannot_sign_in(allowlist_stack: NativeStack) -> None:
    registration = allowlist_stack.registration
    assert registration is not None and registration.tenant_id != OTHER_TENANT
    with Browser() as browser:
        picker = browser.get(allowlist_stack.public_url + "/login")
        landed = browser.submit(picker, button=registration.usernames[0])
        assert landed.status_code == 403, landed.text[:300]
        assert "Your organization is not allowed" in landed.text
        assert "tenant_not_allowed" in landed.text
        me = browser.get(allowlist_stack.public_url + "/graph/me")
        assert me.status_code == 401
    with allowlist_stack.redis_client() as client:
        assert not list(client.scan_iter("signin:session:*"))
        assert not list(client.scan_iter("signin:{user:*}:tokencache:*"))
