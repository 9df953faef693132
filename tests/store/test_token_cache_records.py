"""What a stored token cache holds: MSAL's JSON without ID tokens, still enough for MSAL."""

from __future__ import annotations

import json

import msal

from benchmarks.__main__ import BENCHMARKS, load_benchmark
from signin_core.store.byte_store import MemoryByteStore
from signin_core.store.record_cipher import RecordCipher
from signin_core.tokens.records import TokenCacheRecords, stored_cache_text

HOME = "uid.utid"
ENTRY = {"home_account_id": HOME, "environment": "login.example", "client_id": "app"}
CACHE = {
    "Account": {"a": {**ENTRY, "realm": "utid", "local_account_id": "uid", "username": "u@x",
                      "authority_type": "MSSTS"}},
    "IdToken": {"i": {**ENTRY, "credential_type": "IdToken", "secret": "id.token.value",
                      "realm": "utid"}},
    "RefreshToken": {"r": {**ENTRY, "credential_type": "RefreshToken", "secret": "rt"}},
    "AppMetadata": {"m": {"client_id": "app", "environment": "login.example"}},
}  # fmt: skip


def msal_cache() -> msal.SerializableTokenCache:
    cache = msal.SerializableTokenCache()
    cache.deserialize(json.dumps(CACHE))
    return cache


def test_stored_text_drops_id_tokens_and_keeps_the_rest() -> None:
    stored = json.loads(stored_cache_text(msal_cache()))
    assert "IdToken" not in stored
    assert stored["RefreshToken"] == CACHE["RefreshToken"]
    assert stored["Account"] == CACHE["Account"]
    assert "id.token.value" not in stored_cache_text(msal_cache())


def test_a_stored_cache_still_names_its_account_and_refresh_token() -> None:
    caches = TokenCacheRecords(
        MemoryByteStore(), RecordCipher(["k" * 43]), client_id="app", ttl_seconds=60
    )
    caches.write(HOME, msal_cache())
    loaded = caches.load(HOME).cache
    accounts = loaded.search(msal.TokenCache.CredentialType.ACCOUNT)
    assert [account["home_account_id"] for account in accounts] == [HOME]
    refresh_tokens = loaded.search(msal.TokenCache.CredentialType.REFRESH_TOKEN)
    assert [token["secret"] for token in refresh_tokens] == ["rt"]


def test_every_registered_benchmark_has_a_run_function() -> None:
    assert "redis_bytes" in BENCHMARKS
    for name in BENCHMARKS:
        assert callable(load_benchmark(name).run)
