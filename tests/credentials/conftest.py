"""Fixtures of the credential tests: an environment with no settings in it."""

from __future__ import annotations

import os

import pytest

from signin_state.settings import IdentitySettings


@pytest.fixture
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    """The process environment without any variable IdentitySettings reads."""
    names = {name.upper() for name in IdentitySettings.model_fields}
    for name in list(os.environ):
        if name.upper() in names or name.upper().endswith("_FILE"):
            monkeypatch.delenv(name)
    return monkeypatch
