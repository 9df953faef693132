"""`make dev` signs in against a real tenant with any one client credential."""

from __future__ import annotations

import pytest

from native_stack.__main__ import names_a_real_tenant

TENANT = {"CLIENT_ID": "11111111-2222-3333-4444-555555555555", "AUTHORITY": "https://x/y"}


@pytest.mark.parametrize(
    "credential", ["CLIENT_SECRET", "CLIENT_CERTIFICATE_PATH", "AZURE_FEDERATED_TOKEN_FILE"]
)
def test_any_credential_with_client_id_and_authority_is_a_real_tenant(credential: str) -> None:
    assert names_a_real_tenant({**TENANT, credential: "value"})


def test_without_a_credential_the_emulator_is_used() -> None:
    assert not names_a_real_tenant(TENANT)
    assert not names_a_real_tenant({"CLIENT_SECRET": "value"})
