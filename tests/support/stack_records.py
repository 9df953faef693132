"""Reading the storage stack's Redis records the way the services do: with its keys."""

from __future__ import annotations

import json
from typing import Any

import msal

from native_stack.stack import NativeStack
from signin_core.store.byte_store import RedisByteStore
from signin_core.store.keyed_names import KeyedNames
from signin_core.store.keys import session_key
from signin_core.store.record_cipher import RecordCipher
from signin_core.store.redis_connection import connect_redis
from signin_core.tokens import TokenCacheRecords
from tests.support.browser import Browser

SESSION_COOKIE = "signin_session"


def stack_token_caches(stack: NativeStack, key_texts: list[str] | None = None) -> TokenCacheRecords:
    """The stack's token caches, opened with its data-encryption keys (or key_texts)."""
    assert stack.registration is not None
    return TokenCacheRecords(
        RedisByteStore(connect_redis(stack.redis_url, password=stack.redis_password)),
        RecordCipher(key_texts or stack.data_encryption_keys.split(",")),
        client_id=stack.registration.client_id,
        ttl_seconds=3600,
    )


def session_key_of(stack: NativeStack, session_id: str) -> str:
    """The key a session is stored under: a keyed hash of its id, with the stack's keys."""
    return session_key(KeyedNames(stack.data_encryption_keys.split(",")).name(session_id))


def session_record(stack: NativeStack, browser: Browser) -> dict[str, Any]:
    """The decrypted session record behind browser's session cookie."""
    cookie = browser.http.cookies.get(SESSION_COOKIE)
    assert cookie, "browser has no session cookie"
    key = session_key_of(stack, cookie)
    store = RedisByteStore(connect_redis(stack.redis_url, password=stack.redis_password))
    sealed = store.get(key)
    assert sealed is not None, "no session record"
    cipher = RecordCipher(stack.data_encryption_keys.split(","))
    record: dict[str, Any] = json.loads(cipher.open(sealed, record_name=key).plaintext)
    return record


def home_account_id_of(stack: NativeStack, browser: Browser) -> str:
    """The home account id of the user signed in on browser."""
    return str(session_record(stack, browser)["user"]["home_account_id"])


def token_secrets(cache: msal.SerializableTokenCache) -> list[str]:
    """Every access, refresh and ID token string in a cache."""
    kinds = (
        msal.TokenCache.CredentialType.ACCESS_TOKEN,
        msal.TokenCache.CredentialType.REFRESH_TOKEN,
        msal.TokenCache.CredentialType.ID_TOKEN,
    )
    return [str(entry["secret"]) for kind in kinds for entry in cache.search(kind)]


def access_token_expiries(cache: msal.SerializableTokenCache) -> list[int]:
    """expires_on of every access token in a cache."""
    entries = cache.search(msal.TokenCache.CredentialType.ACCESS_TOKEN)
    return [int(entry["expires_on"]) for entry in entries]
