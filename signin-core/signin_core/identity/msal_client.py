"""Builds MSAL confidential clients that share one HTTP session and discovery cache.

Every client declares the cp1 capability: it can answer continuous access evaluation's
claims challenges, so Graph may revoke its tokens early rather than wait for expiry.
"""

from __future__ import annotations

from typing import Any

import msal
import requests

from signin_core.identity.client_credentials import client_credential_for
from signin_core.identity.outbound_http import OutboundSession, SessionWithTimeout
from signin_core.settings import IdentitySettings

# What MSAL raises when the identity platform did not answer (refused, reset, timed out) or
# answered with a server error (5xx), at discovery or at the token endpoint. Never a reason
# to sign anyone out: callers answer "try again shortly".
IDENTITY_PLATFORM_FAILURES: tuple[type[Exception], ...] = (
    requests.RequestException,
    msal.exceptions.MsalServiceError,
)

# (connect, read) seconds for every request to the identity platform. The read outlasts a
# slow token endpoint (Graph calls keep their own, shorter one): the user's refresh lock is
# renewed while a refresh waits, and the token cache owner bounds how long callers wait.
TOKEN_REQUEST_TIMEOUT = (5.0, 25.0)
LONGEST_TOKEN_REQUEST_SECONDS = sum(TOKEN_REQUEST_TIMEOUT)


class ConfidentialClientFactory:
    """Makes a ConfidentialClientApplication per token cache without repeating discovery."""

    def __init__(self, settings: IdentitySettings, http_client: OutboundSession) -> None:
        self._settings = settings
        self._http_client = SessionWithTimeout(http_client, TOKEN_REQUEST_TIMEOUT)
        self._http_cache: dict[Any, Any] = {}
        # Read once: a certificate is parsed (and its key decrypted) at start, not per request.
        self._client_credential = client_credential_for(settings)

    def build(self, token_cache: msal.SerializableTokenCache) -> msal.ConfidentialClientApplication:
        """Return a client bound to token_cache."""
        settings = self._settings
        return msal.ConfidentialClientApplication(
            settings.client_id,
            client_credential=self._client_credential,
            authority=settings.authority,
            token_cache=token_cache,
            http_client=self._http_client,
            http_cache=self._http_cache,
            instance_discovery=settings.instance_discovery,
            client_capabilities=["cp1"],
        )
