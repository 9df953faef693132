"""Graph tokens for an API client's user: MSAL's on-behalf-of flow, cached sealed in the store.

The client's bearer token (validated at the edge, bound to nginx's assertion by its hash) is the
user assertion. The Graph token it buys is kept per user and scopes, sealed by the record
cipher under its key's name as every record is, until shortly before it expires; the next call
for the same user and scopes makes no token request.
"""

from __future__ import annotations

import hashlib
import logging
import time
from typing import Any

import msal
import msgspec

from graph_service.json_errors import GraphServiceError
from signin_core.errors import CredentialUnavailableError
from signin_core.identity.assertions import SignedInUser
from signin_core.identity.msal_client import IDENTITY_PLATFORM_FAILURES, ConfidentialClientFactory
from signin_core.store.byte_store import ByteStore
from signin_core.store.keys import user_key_prefix
from signin_core.store.record_cipher import RecordCipher, UndecryptableRecordError
from signin_core.tokens import IdentityPlatformUnavailableError

log = logging.getLogger(__name__)
# A cached token is used only while it has this long left: a call never starts with a token
# that expires on its way to Graph.
EXPIRY_MARGIN_SECONDS = 120
# The platform did not answer usably: not at all, a server error, or not JSON (ValueError).
ON_BEHALF_OF_FAILURES: tuple[type[Exception], ...] = (*IDENTITY_PLATFORM_FAILURES, ValueError)
CONSENT_CODES = {65001, 65004, 50076, 50079}
ASSERTION_CODES = {50013, 500133, 50173, 50027}


class CachedGraphToken(msgspec.Struct, frozen=True):
    """A Graph access token and when it expires (epoch seconds)."""

    access_token: str
    expires_at: float


def on_behalf_of_key(client_id: str, user: SignedInUser, scopes: list[str]) -> str:
    """Key of a user's on-behalf-of Graph token for these scopes (on the user's slot)."""
    scope_text = " ".join(sorted(s.lower() for s in scopes))
    digest = hashlib.sha256(scope_text.encode("utf-8")).hexdigest()[:32]
    return f"{user_key_prefix(user.home_account_id)}:obo:{client_id}:{digest}"


class OnBehalfOfTokens:
    """Buys (on-behalf-of) and keeps Graph tokens for the users of API clients' tokens."""

    def __init__(
        self,
        store: ByteStore,
        cipher: RecordCipher,
        clients: ConfidentialClientFactory,
        *,
        client_id: str,
    ) -> None:
        self._store = store
        self._cipher = cipher
        self._clients = clients
        self._client_id = client_id
        self._encoder = msgspec.json.Encoder()
        self._decoder = msgspec.json.Decoder(CachedGraphToken)

    def token_for(self, user: SignedInUser, bearer_token: str, scopes: list[str]) -> str:
        """A Graph token for user and scopes: the cached one, else one bought on-behalf-of."""
        key = on_behalf_of_key(self._client_id, user, scopes)
        cached = self._cached(key)
        if cached is not None and cached.expires_at - EXPIRY_MARGIN_SECONDS > time.time():
            return cached.access_token
        result = self._acquire(bearer_token, scopes)
        lifetime = int(result.get("expires_in") or 0)
        token = CachedGraphToken(str(result["access_token"]), time.time() + lifetime)
        ttl = lifetime - EXPIRY_MARGIN_SECONDS
        if ttl > 0:
            sealed = self._cipher.seal(self._encoder.encode(token), record_name=key)
            self._store.set(key, sealed, ttl)
        return token.access_token

    def _cached(self, key: str) -> CachedGraphToken | None:
        sealed = self._store.get(key)
        if sealed is None:
            return None
        try:
            return self._decoder.decode(self._cipher.open(sealed, record_name=key).plaintext)
        except (UndecryptableRecordError, msgspec.DecodeError):
            log.warning("on-behalf-of token record unreadable, acquiring a new one")
            return None

    def _acquire(self, bearer_token: str, scopes: list[str]) -> dict[str, Any]:
        client = self._clients.build(msal.SerializableTokenCache())
        try:
            result: dict[str, Any] = client.acquire_token_on_behalf_of(bearer_token, scopes)
        except ON_BEHALF_OF_FAILURES as error:
            log.warning("on-behalf-of failed, identity platform unavailable: %s", error)
            raise IdentityPlatformUnavailableError(str(error)) from error
        if "access_token" in result:
            return result
        raise _refusal(result)


def _refusal(result: dict[str, Any]) -> Exception:
    """The answer to an on-behalf-of request the identity platform refused."""
    codes = set(result.get("error_codes") or [])
    error = str(result.get("error", ""))
    log.info("on-behalf-of refused: %s %s", error, sorted(codes))
    if result.get("suberror") == "consent_required" or codes & CONSENT_CODES:
        return GraphServiceError(
            403,
            "consent_required",
            "The user (or an administrator) has not consented to this API calling Microsoft "
            "Graph for them with these permissions. Have the user sign in to the API's client "
            "and consent, or have an administrator grant consent for the API.",
        )
    if error == "invalid_grant" and codes & ASSERTION_CODES:
        return GraphServiceError(
            401,
            "invalid_token",
            "Microsoft did not accept the bearer token for on-behalf-of (expired or revoked); "
            "get a new token and retry.",
        )
    if error in ("invalid_client", "unauthorized_client"):
        return CredentialUnavailableError(f"on-behalf-of refused the API's credential: {error}")
    return IdentityPlatformUnavailableError(f"on-behalf-of refused: {error}")
