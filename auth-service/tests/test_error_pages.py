"""Error pages and every other page render whatever Host the client sent."""

from __future__ import annotations

from typing import Any

import pytest
from auth_service.app import create_app
from auth_service.settings import AuthSettings
from flask import Flask

# Settings that load without a tenant; no request below reaches Redis.
SETTINGS: dict[str, Any] = {
    "app_env": "development",
    "client_id": "dev-only-client",
    "client_secret": "dev-only-secret",
    "authority": "https://login.microsoftonline.com/contoso.example",
    "data_encryption_keys": "dev-only-" + "k" * 32,
    "identity_assertion_key": "dev-only-" + "a" * 32,
    "public_url": "https://signin.contoso.example",
}
# A DNS label may have 63 characters at most; werkzeug cannot IDNA-encode a longer one.
UNENCODABLE_HOSTS = ["a" * 64 + ".example", "a" * 300, "x." + "b" * 64 + ":5000", "a..b"]


@pytest.fixture(scope="module")
def app() -> Flask:
    return create_app(AuthSettings(**SETTINGS))


@pytest.mark.parametrize("host", UNENCODABLE_HOSTS)
@pytest.mark.parametrize("forwarded", [False, True], ids=["Host", "X-Forwarded-Host"])
def test_a_host_werkzeug_cannot_encode_gets_the_page_not_a_500(
    app: Flask, host: str, forwarded: bool
) -> None:
    headers = {"X-Forwarded-Host": host} if forwarded else {"Host": host}
    client = app.test_client()
    missing = client.get("/no/such/page", headers=headers)
    assert missing.status_code == 404, missing.text[:300]
    assert "Page not found" in missing.text
    assert 'href="/static/site.css' in missing.text  # links stay relative, whatever the Host
    assert host not in missing.text
    stylesheet = client.get("/static/site.css", headers=headers)
    assert stylesheet.status_code == 200
    stylesheet.close()
    assert client.get("/_auth/check", headers=headers).status_code == 401
