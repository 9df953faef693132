"""Rotating DATA_ENCRYPTION_KEYS: old records are read and resealed; unknown ones mean sign-in."""

from __future__ import annotations

import logging
import secrets
from collections.abc import Iterator

import msal
import pytest

from native_stack.stack import NativeStack, StackOptions
from signin_core.identity.msal_client import ConfidentialClientFactory
from signin_core.identity.outbound_http import OutboundSession
from signin_core.settings import IdentitySettings
from signin_core.store.byte_store import RedisByteStore
from signin_core.store.record_cipher import KEY_ID_LENGTH, RecordCipher
from signin_core.store.redis_connection import RedisConnection
from signin_core.tokens import StoredTokenCaches, TokenCacheRecords
from signin_core.tokens.refresh_lock import RedisRefreshLocks
from signin_core.tokens.sign_ins import UserSignIns
from signin_core.web.metrics import build_metrics
from tests.support.browser import Browser
from tests.support.sign_in import sign_in_through
from tests.support.stack_records import home_account_id_of, stack_token_caches

KEY_A = "a" * 43
KEY_B = "b" * 43
CACHE_JSON = '{"AccessToken": {}, "Account": {"k": {"home_account_id": "user-a", "username": "x"}}}'


def key_id(key_text: str) -> bytes:
    """The key id a record sealed with key_text carries."""
    return RecordCipher([key_text]).seal(b"", record_name="probe")[1 : 1 + KEY_ID_LENGTH]


def caches(connection: RedisConnection, keys: list[str]) -> TokenCacheRecords:
    """user-a's records under keys; user-a is signed in (records are bound to a sign-in)."""
    store = RedisByteStore(connection)
    UserSignIns(store, lifetime_seconds=60).start("user-a")
    return TokenCacheRecords(store, RecordCipher(keys), client_id="app", ttl_seconds=60)


def token_owner(connection: RedisConnection, keys: list[str]) -> StoredTokenCaches:
    """The token cache owner over these keys' records; it never calls the identity platform."""
    identity = IdentitySettings(
        **{
            "client_id": "app",
            "client_secret": "a-real-looking-secret-value",
            "authority": "https://login.microsoftonline.com/contoso.example",
            "data_encryption_keys": ",".join(keys),
            "identity_assertion_key": "i" * 43,
        }  # type: ignore[arg-type]
    )
    return StoredTokenCaches(
        caches(connection, keys),
        RedisRefreshLocks(connection),
        ConfidentialClientFactory(identity, OutboundSession()),
        build_metrics(),
    )


def sealed_key_id(connection: RedisConnection, key: str) -> bytes:
    raw = connection.client().get(key)
    assert isinstance(raw, bytes)
    return raw[1 : 1 + KEY_ID_LENGTH]


def test_old_key_records_are_read_then_resealed_with_the_new_key(
    standalone_connection: RedisConnection,
) -> None:
    cache = msal.SerializableTokenCache()
    cache.deserialize(CACHE_JSON)
    caches(standalone_connection, [KEY_A]).write("user-a", cache)
    key = caches(standalone_connection, [KEY_A]).key_for("user-a")
    assert sealed_key_id(standalone_connection, key) == key_id(KEY_A)

    rotated = caches(standalone_connection, [KEY_B, KEY_A])
    loaded = rotated.load("user-a")
    assert loaded.sealed_with_old_key and not loaded.cache.has_state_changed
    assert loaded.cache.serialize() == cache.serialize()
    # unchanged by MSAL, yet rewritten for the new key: a sign-in adding nothing new
    token_owner(standalone_connection, [KEY_B, KEY_A]).merge_sign_in(
        "user-a", msal.SerializableTokenCache()
    )
    assert sealed_key_id(standalone_connection, key) == key_id(KEY_B)

    after_rotation = caches(standalone_connection, [KEY_B]).load("user-a")
    assert not after_rotation.sealed_with_old_key
    assert after_rotation.cache.serialize() == cache.serialize()


def test_a_record_of_an_unknown_key_is_empty_and_logged_without_contents(
    standalone_connection: RedisConnection, caplog: pytest.LogCaptureFixture
) -> None:
    caches(standalone_connection, [KEY_A]).write("user-a", msal.SerializableTokenCache())
    with caplog.at_level(logging.WARNING):
        loaded = caches(standalone_connection, [KEY_B]).load("user-a")
    assert loaded.cache.serialize() in ("{}", "")
    assert not loaded.sealed_with_old_key
    assert "unreadable" in caplog.text
    raw = standalone_connection.client().get(
        caches(standalone_connection, [KEY_A]).key_for("user-a")
    )
    assert isinstance(raw, bytes)
    assert raw.hex() not in caplog.text and "user-a" not in caplog.text


@pytest.fixture
def small_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[NativeStack]:
    """A stack of its own with one worker per service, quick to restart."""
    options = StackOptions(
        run_dir=tmp_path_factory.mktemp("rotation-stack"), auth_workers=1, graph_workers=1
    )
    with NativeStack(options) as stack:
        yield stack


def restart_graph_service_with_keys(stack: NativeStack, keys: list[str]) -> None:
    stack.options.service_env["DATA_ENCRYPTION_KEYS"] = ",".join(keys)
    stack.start_service("graph-service")


def test_rotation_through_the_stack(small_stack: NativeStack, browser: Browser) -> None:
    stack = small_stack
    assert stack.registration is not None
    old_key, new_key = stack.data_encryption_keys, secrets.token_urlsafe(32)
    sign_in_through(browser, stack.public_url, stack.registration.usernames[0])
    assert browser.get(stack.public_url + "/graph/me").status_code == 200
    home_account_id = home_account_id_of(stack, browser)
    cache_key = stack_token_caches(stack).key_for(home_account_id)
    connection = RedisConnection(stack.redis_url, password=stack.redis_password)

    restart_graph_service_with_keys(stack, [new_key])
    refused = browser.get(stack.public_url + "/graph/me")
    assert refused.status_code == 401, refused.text
    assert refused.json()["error"]["code"] == "login_required"
    assert refused.json()["error"]["login_url"].startswith("/login")
    assert sealed_key_id(connection, cache_key) == key_id(old_key)  # left for a rollback

    restart_graph_service_with_keys(stack, [new_key, old_key])
    assert browser.get(stack.public_url + "/graph/me").status_code == 200
    assert sealed_key_id(connection, cache_key) == key_id(new_key)
    connection.close()
