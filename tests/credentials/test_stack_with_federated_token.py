"""The whole stack with AZURE_FEDERATED_TOKEN_FILE: its content is the client assertion, read
afresh for every token request (the kubelet rotates a projected service-account token in place).

The emulator trusts client assertions signed by a certificate registered on the app; it has no
federated identity credentials (trusting an external issuer's key for an issuer, subject and
audience). So the token file here holds an assertion signed by a registered certificate: this
tests everything the stack does with the file, and the identity platform's half is its own.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from native_stack.stack import NativeStack, StackOptions
from tests.credentials.certificates import (
    KeyAndCertificate,
    new_certificate,
    signed_client_assertion,
)
from tests.credentials.emulator_apps import (
    register_certificate_app,
    token_endpoint,
    token_requests_by_grant,
)
from tests.support.browser import Browser
from tests.support.sign_in import sign_in_through

APP_ID = "fede7a7e-0c1a-4b2e-8f3d-6a5b4c3d2e1f"
ALWAYS_STALE_ACCESS_TOKENS = {"EMULATOR_ACCESS_TOKEN_LIFETIME": "300"}


@pytest.fixture(scope="module")
def signers() -> list[KeyAndCertificate]:
    """Two keys the assertion in the token file can be signed with (before and after rotation)."""
    return [new_certificate("federated issuer key 1"), new_certificate("federated issuer key 2")]


@pytest.fixture(scope="module")
def token_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where the service reads its federated token, as AZURE_FEDERATED_TOKEN_FILE."""
    return tmp_path_factory.mktemp("workload-identity") / "azure-identity-token"


@pytest.fixture(scope="module")
def federated_stack(
    tmp_path_factory: pytest.TempPathFactory, token_file: Path, signers: list[KeyAndCertificate]
) -> Iterator[NativeStack]:
    """The stack reading its client assertion from token_file, for an app with no secret."""
    token_file.write_text("not-yet-a-token")
    stack = NativeStack(
        StackOptions(
            run_dir=tmp_path_factory.mktemp("federated-stack"),
            emulator_env=ALWAYS_STALE_ACCESS_TOKENS,
            service_env={
                "CLIENT_ID": APP_ID,
                "CLIENT_SECRET": "",
                "AZURE_FEDERATED_TOKEN_FILE": str(token_file),
            },
        )
    )
    stack.start()
    try:
        register_certificate_app(stack, APP_ID, [signers[0].certificate_pem])
        yield stack
    finally:
        stack.stop()


def write_token(stack: NativeStack, token_file: Path, signer: KeyAndCertificate) -> None:
    """Put a fresh assertion signed by signer into the token file, replacing it atomically."""
    assertion = signed_client_assertion(
        signer, issuer=APP_ID, subject=APP_ID, audience=token_endpoint(stack)
    )
    staged = token_file.with_suffix(".new")
    staged.write_text(assertion)
    staged.replace(token_file)


def graph_me_status(stack: NativeStack, browser: Browser) -> int:
    answer = browser.get(stack.public_url + "/graph/me", headers={"Accept": "application/json"})
    return answer.status_code


def test_sign_in_and_graph_with_the_token_file(
    federated_stack: NativeStack,
    browser: Browser,
    token_file: Path,
    signers: list[KeyAndCertificate],
) -> None:
    stack = federated_stack
    assert stack.registration is not None
    write_token(stack, token_file, signers[0])
    before = token_requests_by_grant(stack)
    home = sign_in_through(browser, stack.public_url, stack.registration.usernames[1])
    assert home.url.rstrip("/") == stack.public_url and "Welcome," in home.text
    assert graph_me_status(stack, browser) == 200
    after = token_requests_by_grant(stack)
    for grant in ("authorization_code", "refresh_token"):
        assert after.get(grant, 0) > before.get(grant, 0), (grant, before, after)


def test_a_rotated_token_file_is_used_at_once_and_a_bad_one_never_cached(
    federated_stack: NativeStack,
    browser: Browser,
    token_file: Path,
    signers: list[KeyAndCertificate],
) -> None:
    stack = federated_stack
    assert stack.registration is not None
    old_signer, new_signer = signers
    write_token(stack, token_file, old_signer)
    sign_in_through(browser, stack.public_url, stack.registration.usernames[2])
    assert graph_me_status(stack, browser) == 200

    # The identity platform now trusts only the new key, and the file is rotated: the very
    # next token request (every Graph call here refreshes) must present the new content.
    register_certificate_app(stack, APP_ID, [new_signer.certificate_pem])
    write_token(stack, token_file, new_signer)
    assert graph_me_status(stack, browser) == 200

    # A token the platform refuses fails that request (401, sign in again) ...
    write_token(stack, token_file, old_signer)
    assert graph_me_status(stack, browser) == 401
    # ... and leaves nothing behind: the next good token works without a new sign-in.
    write_token(stack, token_file, new_signer)
    assert graph_me_status(stack, browser) == 200
