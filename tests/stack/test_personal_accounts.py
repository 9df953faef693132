"""Personal Microsoft accounts through the whole stack: the `common` authority signs in a
personal account and a work account alike, for an app whose audience takes both; Graph's
/me answers for the personal one. `consumers` is a path segment on the emulator's own host,
so this runs natively."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from native_stack.stack import NativeStack, StackOptions
from tests.support.browser import Browser
from tests.support.emulator_control import EmulatorControl
from tests.support.sign_in import sign_in_through

# The emulator's seeded personal account, in the consumers tenant (emulator/README.md).
PERSONAL_ACCOUNT = "morgan.lee@outlook.example"
CONSUMERS_TENANT_ID = "9188040d-6c67-4c5b-b112-36a304b66dad"


def personal_accounts_stack(run_dir: Path, **service_env: str) -> NativeStack:
    """A started stack signing in at `common`, its app open to personal accounts too."""
    options = StackOptions(
        run_dir=run_dir, graph_workers=1, authority_tenant="common", service_env=service_env
    )
    running = NativeStack(options)
    running.start()
    assert running.registration is not None
    with EmulatorControl(running) as control:
        control.update_app(
            running.registration.client_id, sign_in_audience="AzureADandPersonalMicrosoftAccount"
        )
    return running


@pytest.fixture(scope="module")
def common_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[NativeStack]:
    """The stack with AUTHORITY=<emulator>/common."""
    running = personal_accounts_stack(tmp_path_factory.mktemp("common-stack"))
    yield running
    running.stop()


def test_a_personal_account_signs_in_and_reads_its_profile(common_stack: NativeStack) -> None:
    with Browser() as browser:
        landed = sign_in_through(browser, common_stack.public_url, PERSONAL_ACCOUNT)
        assert landed.url == common_stack.public_url + "/", landed.url
        assert "Morgan Lee" in landed.text
        me = browser.get(
            common_stack.public_url + "/graph/me", headers={"Accept": "application/json"}
        )
        assert me.status_code == 200, me.text
        assert me.json()["userPrincipalName"] == PERSONAL_ACCOUNT


def test_common_signs_in_a_work_account_as_well(common_stack: NativeStack) -> None:
    assert common_stack.registration is not None
    work_account = common_stack.registration.usernames[0]
    with Browser() as browser:
        sign_in_through(browser, common_stack.public_url, work_account)
        me = browser.get(
            common_stack.public_url + "/graph/me", headers={"Accept": "application/json"}
        )
        assert me.status_code == 200 and me.json()["userPrincipalName"] == work_account


def test_allowed_tenants_can_admit_personal_accounts_by_their_tenant_id(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    running = personal_accounts_stack(
        tmp_path_factory.mktemp("consumers-allowlist"), ALLOWED_TENANTS=CONSUMERS_TENANT_ID
    )
    try:
        assert running.registration is not None
        with Browser() as browser:
            sign_in_through(browser, running.public_url, PERSONAL_ACCOUNT)
            assert browser.get(running.public_url + "/graph/me").status_code == 200
        with Browser() as browser:
            picker = browser.get(running.public_url + "/login")
            refused = browser.submit(picker, button=running.registration.usernames[0])
            assert refused.status_code == 403 and "tenant_not_allowed" in refused.text
    finally:
        running.stop()
