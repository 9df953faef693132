"""demo-app's settings: the signed principal's checks are all set, or a clear error says what."""

from __future__ import annotations

import pytest
from demo_app.settings import DemoAppSettings

JWKS = {"PRINCIPAL_JWKS_URL": "http://nginx:8080/.well-known/jwks.json"}


def test_without_a_jwks_url_nothing_is_verified() -> None:
    assert DemoAppSettings.from_environment({}).principal is None


def test_a_jwks_url_with_its_issuer_and_audience() -> None:
    env = {
        **JWKS,
        "PRINCIPAL_ISSUER": "http://localhost:5000",
        "PRINCIPAL_AUDIENCE": "http://localhost:5000/app/",
    }
    principal = DemoAppSettings.from_environment(env).principal
    assert principal is not None and principal.cooldown_seconds == 30
    assert principal.audience == "http://localhost:5000/app/"


@pytest.mark.parametrize(
    ("env", "message"),
    [
        (JWKS, "set PRINCIPAL_ISSUER"),
        ({"PRINCIPAL_JWKS_URL": "nginx/jwks"}, "must be an http"),
        (
            {**JWKS, "PRINCIPAL_ISSUER": "i", "PRINCIPAL_AUDIENCE": "a",
             "PRINCIPAL_JWKS_COOLDOWN_SECONDS": "soon"},
            "must be seconds",
        ),
    ],
)  # fmt: skip
def test_incomplete_settings_say_what_is_missing(env: dict[str, str], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        DemoAppSettings.from_environment(env)
