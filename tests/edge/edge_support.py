"""Checks and clients the edge tests share."""

from __future__ import annotations

from typing import Any

import requests
from requests.adapters import HTTPAdapter

# auth-service settings that load without a tenant, for tests that build its app directly.
DEVELOPMENT_SETTINGS: dict[str, Any] = {
    "app_env": "development",
    "client_id": "dev-only-client",
    "client_secret": "dev-only-secret",
    "authority": "https://login.microsoftonline.com/contoso.example",
    "data_encryption_keys": "dev-only-" + "k" * 32,
    "identity_assertion_key": "dev-only-" + "a" * 32,
}

STRICT_POLICY_PARTS = (
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "frame-ancestors 'none'",
    "form-action 'self'",
    "base-uri 'none'",
)


def header_values(answer: requests.Response, name: str) -> list[str]:
    """Every value of a response header as sent (requests joins repeated ones)."""
    return list(answer.raw.headers.getlist(name))


def assert_security_headers(answer: requests.Response, *, https: bool = False) -> None:
    """The headers nginx adds to every response, each sent exactly once."""
    where = f"{answer.request.method} {answer.url} -> {answer.status_code}"
    policies = header_values(answer, "Content-Security-Policy")
    assert len(policies) == 1, (where, policies)
    for part in STRICT_POLICY_PARTS:
        assert part in policies[0], (where, part, policies[0])
    assert "unsafe-inline" not in policies[0] or "/_emulator/" in answer.url, where
    assert "unsafe-eval" not in policies[0], where
    assert header_values(answer, "X-Content-Type-Options") == ["nosniff"], where
    assert header_values(answer, "X-Frame-Options") == ["DENY"], where
    assert header_values(answer, "Referrer-Policy") == ["same-origin"], where
    assert len(header_values(answer, "Permissions-Policy")) == 1, where
    hsts = header_values(answer, "Strict-Transport-Security")
    assert hsts == (["max-age=31536000"] if https else []), (where, hsts)


class _SourceAddressAdapter(HTTPAdapter):
    def __init__(self, source_address: str) -> None:
        self._source_address = source_address
        super().__init__()

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        kwargs["source_address"] = (self._source_address, 0)
        super().init_poolmanager(*args, **kwargs)


def client_from(source_address: str) -> requests.Session:
    """A client whose connections come from source_address (any 127.x.y.z is loopback)."""
    client = requests.Session()
    client.trust_env = False
    send_from(client, source_address)
    return client


def send_from(client: requests.Session, source_address: str) -> None:
    """Make client's later http:// connections come from source_address."""
    client.mount("http://", _SourceAddressAdapter(source_address))


def plain_client() -> requests.Session:
    """A client from 127.0.0.1 that ignores proxy and CA settings in the environment."""
    client = requests.Session()
    client.trust_env = False
    return client
