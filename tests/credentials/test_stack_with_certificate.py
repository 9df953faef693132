"""The whole stack signs in and calls Graph with a certificate credential: no secret anywhere."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from native_stack.stack import NativeStack, StackOptions
from tests.credentials.certificates import KeyAndCertificate, write_pem
from tests.credentials.emulator_apps import (
    ALWAYS_STALE_ACCESS_TOKENS,
    register_app_without_secret,
    token_requests_by_grant,
)
from tests.support.browser import Browser
from tests.support.sign_in import sign_in_through

APP_ID = "ce47f1c4-7e57-4c3a-9d1b-5e1f0c2a7b01"
PASSWORD = "pem-file-password-for-this-test"


@pytest.fixture(scope="module")
def certificate_stack(
    tmp_path_factory: pytest.TempPathFactory, client_certificate: KeyAndCertificate
) -> Iterator[NativeStack]:
    """The stack with an encrypted PEM and its password in files, and an app with no secret."""
    secrets_dir = tmp_path_factory.mktemp("certificate-credential")
    pem = write_pem(
        secrets_dir / "client.pem",
        client_certificate.key,
        client_certificate.certificate,
        password=PASSWORD,
    )
    (secrets_dir / "password").write_text(PASSWORD + "\n")
    stack = NativeStack(
        StackOptions(
            run_dir=tmp_path_factory.mktemp("certificate-stack"),
            emulator_env=ALWAYS_STALE_ACCESS_TOKENS,
            service_env={
                "CLIENT_ID": APP_ID,
                "CLIENT_SECRET": "",
                "CLIENT_CERTIFICATE_PATH": str(pem),
                "CLIENT_CERTIFICATE_PASSWORD_FILE": str(secrets_dir / "password"),
            },
        )
    )
    stack.start()
    try:
        app = register_app_without_secret(
            stack, APP_ID, certificate_pems=[client_certificate.certificate_pem]
        )
        assert app["client_secret_count"] == 0
        yield stack
    finally:
        stack.stop()


def sign_in_and_call_graph(stack: NativeStack, browser: Browser) -> None:
    assert stack.registration is not None
    username = stack.registration.usernames[0]
    before = token_requests_by_grant(stack)
    home = sign_in_through(browser, stack.public_url, username)
    assert home.url.rstrip("/") == stack.public_url and "Welcome," in home.text
    me = browser.get(stack.public_url + "/graph/me", headers={"Accept": "application/json"})
    assert me.status_code == 200, me.text
    assert me.json()["userPrincipalName"].lower() == username.lower()
    after = token_requests_by_grant(stack)
    for grant in ("authorization_code", "refresh_token"):  # auth-service, then graph-service
        assert after.get(grant, 0) > before.get(grant, 0), (grant, before, after)


def test_sign_in_and_graph_with_certificate_thumbprint(
    certificate_stack: NativeStack, browser: Browser
) -> None:
    sign_in_and_call_graph(certificate_stack, browser)


def test_sign_in_and_graph_with_certificate_chain_sent_as_x5c(
    certificate_stack: NativeStack,
    browser: Browser,
    issuer: KeyAndCertificate,
    client_certificate: KeyAndCertificate,
    tmp_path: Path,
) -> None:
    chain_file = write_pem(
        tmp_path / "client-with-chain.pem",
        client_certificate.key,
        client_certificate.certificate,
        issuer.certificate,
    )
    certificate_stack.options.service_env.update(
        CLIENT_CERTIFICATE_PATH=str(chain_file),
        CLIENT_CERTIFICATE_PASSWORD_FILE="",
        CLIENT_CERTIFICATE_SEND_CHAIN="true",
    )
    for service in ("auth-service", "graph-service"):
        certificate_stack.start_service(service)
    sign_in_and_call_graph(certificate_stack, browser)
