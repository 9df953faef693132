"""The identity platform's published signing keys, read through AUTHORITY's discovery document.

Discovery gives the issuer and the JWKS address; the keys are cached, and fetched again when a
token names a kid not among them (a key rotation), at most once per refresh interval so that
tokens with made-up kids cannot make us hammer the platform.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from typing import Any

import jwt
import requests

from signin_core.identity.outbound_http import OutboundSession

log = logging.getLogger(__name__)
DISCOVERY_PATH = "/v2.0/.well-known/openid-configuration"
UNKNOWN_KID_REFRESH_SECONDS = 60
KEYS_MAX_AGE_SECONDS = 24 * 3600


class AuthorityUnavailableError(Exception):
    """Discovery or the key set could not be read (the platform did not answer usably)."""


@dataclass(frozen=True)
class Discovery:
    """What the discovery document says about tokens: who issues them and where its keys are."""

    issuer: str
    jwks_uri: str


class AuthorityKeys:
    """Discovery and the JWKS of one authority, cached and refreshed on an unknown kid."""

    def __init__(
        self,
        http: OutboundSession,
        authority: str,
        *,
        refresh_seconds: float = UNKNOWN_KID_REFRESH_SECONDS,
        max_age_seconds: float = KEYS_MAX_AGE_SECONDS,
    ) -> None:
        self._http = http
        self._discovery_url = authority.rstrip("/") + DISCOVERY_PATH
        self._refresh_seconds = refresh_seconds
        self._max_age = max_age_seconds
        self._lock = threading.Lock()
        self._discovery: Discovery | None = None
        self._keys: dict[str, jwt.PyJWK] = {}
        self._fetched_at = float("-inf")

    def discovery(self) -> Discovery:
        """The discovery document's issuer and jwks_uri (read once, then kept)."""
        with self._lock:
            if self._discovery is None:
                document = self._json(self._discovery_url)
                issuer, jwks_uri = document.get("issuer"), document.get("jwks_uri")
                if not isinstance(issuer, str) or not isinstance(jwks_uri, str):
                    raise AuthorityUnavailableError("discovery has no issuer or jwks_uri")
                self._discovery = Discovery(issuer=issuer, jwks_uri=jwks_uri)
            return self._discovery

    def key_for(self, kid: str) -> jwt.PyJWK | None:
        """The published key with this kid, fetching the key set when it is unknown or old."""
        jwks_uri = self.discovery().jwks_uri
        with self._lock:
            age = time.monotonic() - self._fetched_at
            if (kid not in self._keys and age >= self._refresh_seconds) or age >= self._max_age:
                self._keys = self._fetch_keys(jwks_uri)
                self._fetched_at = time.monotonic()
            return self._keys.get(kid)

    def _fetch_keys(self, jwks_uri: str) -> dict[str, jwt.PyJWK]:
        keys: dict[str, jwt.PyJWK] = {}
        for entry in self._json(jwks_uri).get("keys") or []:
            if not isinstance(entry, dict) or not isinstance(entry.get("kid"), str):
                continue
            try:
                keys[entry["kid"]] = jwt.PyJWK(entry)
            except jwt.PyJWTError:
                log.warning("published key %s is not usable, skipped", entry["kid"])
        return keys

    def _json(self, url: str) -> dict[str, Any]:
        try:
            with self._http.get(url) as response:
                response.raise_for_status()
                body = response.json()
        except (requests.RequestException, ValueError) as error:
            raise AuthorityUnavailableError(f"{url}: {error}") from error
        if not isinstance(body, dict):
            raise AuthorityUnavailableError(f"{url}: not a JSON object")
        return body
