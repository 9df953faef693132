"""Fixtures of the credential tests: an environment with no settings in it, a client certificate."""

from __future__ import annotations

import os

import pytest

from signin_core.settings import IdentitySettings
from tests.credentials.certificates import KeyAndCertificate, new_certificate


@pytest.fixture
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    """The process environment without any variable IdentitySettings reads."""
    names = {name.upper() for name in IdentitySettings.model_fields}
    for name in list(os.environ):
        if name.upper() in names or name.upper().endswith("_FILE"):
            monkeypatch.delenv(name)
    return monkeypatch


@pytest.fixture(scope="module")
def issuer() -> KeyAndCertificate:
    """A CA that issues the client certificate."""
    return new_certificate("test issuing CA")


@pytest.fixture(scope="module")
def client_certificate(issuer: KeyAndCertificate) -> KeyAndCertificate:
    """A client certificate issued by the CA."""
    return new_certificate("signin-stack client", issuer=issuer)
