"""The whole stack with workload identity: AZURE_FEDERATED_TOKEN_FILE holds a service-account
token of an issuer the app registration trusts through a federated credential (issuer,
subject, audience). The services present the file's content as the client assertion, read
afresh for every token request, as the kubelet rotates the file in place.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from native_stack.stack import NativeStack, StackOptions
from tests.credentials.certificates import TokenIssuerKey, new_token_issuer_key
from tests.credentials.emulator_apps import (
    ALWAYS_STALE_ACCESS_TOKENS,
    register_app_without_secret,
    token_requests_by_grant,
)
from tests.support.browser import Browser
from tests.support.sign_in import sign_in_through

APP_ID = "fede7a7e-0c1a-4b2e-8f3d-6a5b4c3d2e1f"
CLUSTER_ISSUER = "https://oidc.cluster.example/signin-stack-test"
SERVICE_ACCOUNT = "system:serviceaccount:signin-stack:signin-stack"
TOKEN_EXCHANGE_AUDIENCE = "api://AzureADTokenExchange"


def federated_credential(*trusted_keys: TokenIssuerKey) -> dict[str, Any]:
    """The app registration's trust in the cluster's service account, with the issuer's keys."""
    return {
        "name": "kubernetes-signin-stack",
        "issuer": CLUSTER_ISSUER,
        "subject": SERVICE_ACCOUNT,
        "audiences": [TOKEN_EXCHANGE_AUDIENCE],
        "jwks": {"keys": [key.jwk for key in trusted_keys]},
    }


@pytest.fixture(scope="module")
def issuer_keys() -> list[TokenIssuerKey]:
    """The cluster issuer's signing key, and the one it rotates to."""
    return [new_token_issuer_key("cluster-key-1"), new_token_issuer_key("cluster-key-2")]


@pytest.fixture(scope="module")
def token_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where the kubelet would project the token; AZURE_FEDERATED_TOKEN_FILE names it."""
    return tmp_path_factory.mktemp("azure-tokens") / "azure-identity-token"


@pytest.fixture(scope="module")
def federated_stack(
    tmp_path_factory: pytest.TempPathFactory, token_file: Path, issuer_keys: list[TokenIssuerKey]
) -> Iterator[NativeStack]:
    """The stack reading its client assertion from token_file, for an app with no secret."""
    project_token(token_file, issuer_keys[0])
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
        register_app_without_secret(
            stack, APP_ID, federated_credentials=[federated_credential(issuer_keys[0])]
        )
        yield stack
    finally:
        stack.stop()


def project_token(token_file: Path, key: TokenIssuerKey, subject: str = SERVICE_ACCOUNT) -> None:
    """Replace the token file atomically, as the kubelet does."""
    token = key.token(issuer=CLUSTER_ISSUER, subject=subject, audience=TOKEN_EXCHANGE_AUDIENCE)
    staged = token_file.with_suffix(".new")
    staged.write_text(token)
    staged.replace(token_file)


def graph_me_status(stack: NativeStack, browser: Browser) -> int:
    answer = browser.get(stack.public_url + "/graph/me", headers={"Accept": "application/json"})
    return answer.status_code


def sign_in_with_projected_token(
    stack: NativeStack, browser: Browser, token_file: Path, key: TokenIssuerKey, user: int
) -> None:
    """Project a token signed with key, sign the user-th seeded user in, and call Graph."""
    assert stack.registration is not None
    project_token(token_file, key)
    sign_in_through(browser, stack.public_url, stack.registration.usernames[user])
    assert graph_me_status(stack, browser) == 200


def test_sign_in_and_graph_with_a_service_account_token(
    federated_stack: NativeStack,
    browser: Browser,
    token_file: Path,
    issuer_keys: list[TokenIssuerKey],
) -> None:
    stack = federated_stack
    assert stack.registration is not None
    project_token(token_file, issuer_keys[0])
    before = token_requests_by_grant(stack)
    home = sign_in_through(browser, stack.public_url, stack.registration.usernames[1])
    assert home.url.rstrip("/") == stack.public_url and "Welcome," in home.text
    assert graph_me_status(stack, browser) == 200
    after = token_requests_by_grant(stack)
    for grant in ("authorization_code", "refresh_token"):  # auth-service, then graph-service
        assert after.get(grant, 0) > before.get(grant, 0), (grant, before, after)


def test_a_token_for_another_service_account_is_refused(
    federated_stack: NativeStack,
    browser: Browser,
    token_file: Path,
    issuer_keys: list[TokenIssuerKey],
) -> None:
    stack = federated_stack
    sign_in_with_projected_token(stack, browser, token_file, issuer_keys[0], user=3)
    project_token(token_file, issuer_keys[0], subject="system:serviceaccount:other:intruder")
    assert graph_me_status(stack, browser) == 401
    project_token(token_file, issuer_keys[0])
    assert graph_me_status(stack, browser) == 200


def test_a_rotated_token_is_used_at_once_and_a_refused_one_leaves_nothing_behind(
    federated_stack: NativeStack,
    browser: Browser,
    token_file: Path,
    issuer_keys: list[TokenIssuerKey],
) -> None:
    stack = federated_stack
    old_key, new_key = issuer_keys
    sign_in_with_projected_token(stack, browser, token_file, old_key, user=2)
    try:
        # The issuer rotates its signing key and the identity platform now trusts only the new
        # one; the kubelet rewrites the file. The very next token request must use the file's
        # new content (every Graph call here is a refresh).
        register_app_without_secret(
            stack, APP_ID, federated_credentials=[federated_credential(new_key)]
        )
        project_token(token_file, new_key)
        assert graph_me_status(stack, browser) == 200
        # A token the platform refuses fails that request (401, sign in again) ...
        project_token(token_file, old_key)
        assert graph_me_status(stack, browser) == 401
        # ... and leaves nothing behind: the next good token works without a new sign-in.
        project_token(token_file, new_key)
        assert graph_me_status(stack, browser) == 200
    finally:
        register_app_without_secret(
            stack, APP_ID, federated_credentials=[federated_credential(old_key)]
        )


def test_a_vanished_token_file_answers_503_and_recovers_when_it_returns(
    federated_stack: NativeStack,
    browser: Browser,
    token_file: Path,
    issuer_keys: list[TokenIssuerKey],
) -> None:
    stack = federated_stack
    sign_in_with_projected_token(stack, browser, token_file, issuer_keys[0], user=4)
    token_file.unlink()
    with Browser() as newcomer:
        graph = browser.get(stack.public_url + "/graph/me", headers={"Accept": "application/json"})
        assert graph.status_code == 503, graph.text
        assert graph.json()["error"]["code"] == "credential_unavailable"
        assert graph.headers["Retry-After"] == "30"
        # Finishing a sign-in needs the credential too: a page that says so, not a 500.
        picker = newcomer.get(stack.public_url + "/login")
        landed = newcomer.submit(picker, button=stack.registration.usernames[0])
        if 'value="accept"' in landed.text:
            landed = newcomer.submit(landed, button="accept")
        assert landed.status_code == 503, landed.text[:300]
        assert "/getAToken" in landed.url
        assert "cannot prove its own identity" in landed.text
        project_token(token_file, issuer_keys[0])
    assert graph_me_status(stack, browser) == 200
    with Browser() as again:
        landed = sign_in_through(again, stack.public_url, stack.registration.usernames[0])
        assert "Welcome," in landed.text
