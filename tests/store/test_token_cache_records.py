"""What a stored token cache holds: MSAL's JSON without ID tokens, still enough for MSAL."""

from __future__ import annotations

import json

import msal
import pytest

from benchmarks.__main__ import BENCHMARKS, load_benchmark
from signin_core.store.byte_store import MemoryByteStore
from signin_core.store.record_cipher import RecordCipher
from signin_core.tokens.errors import SignInRequiredError
from signin_core.tokens.records import TokenCacheRecords, stored_cache_text
from signin_core.tokens.sign_ins import UserSignIns

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


def signed_in_records() -> tuple[TokenCacheRecords, UserSignIns, MemoryByteStore]:
    """Records over a memory store where HOME is signed in."""
    store = MemoryByteStore()
    sign_ins = UserSignIns(store, lifetime_seconds=60)
    sign_ins.start(HOME)
    caches = TokenCacheRecords(store, RecordCipher(["k" * 43]), client_id="app", ttl_seconds=60)
    return caches, sign_ins, store


def test_a_stored_cache_still_names_its_account_and_refresh_token() -> None:
    caches, _, _ = signed_in_records()
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


def test_a_cache_is_bound_to_the_sign_in_it_was_written_in() -> None:
    caches, sign_ins, store = signed_in_records()
    caches.write(HOME, msal_cache())
    old_copy = store.get(caches.key_for(HOME))
    assert old_copy is not None and refresh_tokens_of(caches) == ["rt"]

    sign_ins.end(HOME)  # signed out everywhere: the record no longer opens
    assert refresh_tokens_of(caches) == []
    with pytest.raises(SignInRequiredError):
        caches.write(HOME, msal_cache())  # nor is a refresh kept for a sign-in that ended

    sign_ins.start(HOME)  # a new sign-in; the old record, restored, is still refused
    store.set(caches.key_for(HOME), old_copy, 60)
    assert refresh_tokens_of(caches) == []
    empty = msal.SerializableTokenCache()
    caches.reload_into(HOME, empty, None)
    assert not list(empty.search(msal.TokenCache.CredentialType.REFRESH_TOKEN))


def test_a_second_sign_in_joins_the_live_one() -> None:
    _, sign_ins, _ = signed_in_records()
    first = sign_ins.current(HOME)
    assert first is not None and sign_ins.start(HOME) == first
    sign_ins.end(HOME)
    assert sign_ins.current(HOME) is None
    assert sign_ins.start(HOME) != first


def refresh_tokens_of(caches: TokenCacheRecords) -> list[str]:
    loaded = caches.load(HOME).cache
    return [t["secret"] for t in loaded.search(msal.TokenCache.CredentialType.REFRESH_TOKEN)]
