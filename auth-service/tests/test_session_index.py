"""The per-user session index: what it lists, what ending a sid or a session does, and that
a revoked session cannot write itself back."""

from __future__ import annotations

import time

import pytest
from auth_service.session_index import DEVICE_MAX_CHARACTERS, SessionIndex, SessionSeen

from signin_core.store.byte_store import MemoryByteStore
from signin_core.store.keyed_names import KeyedNames
from signin_core.store.keys import identity_session_key, session_index_key, session_key
from signin_core.store.record_cipher import RecordCipher

KEYS = ["k" * 43]
USER = "0c8a7d1e-2f3b-4a5c-9d6e-1f2a3b4c5d6e.5f1e8c2a-3d4b-4e6f-9a7b-0c1d2e3f4a5b"
GENERATION = "generation-1"
ISSUER = "https://login.example/tenant/v2.0"


@pytest.fixture
def store() -> MemoryByteStore:
    return MemoryByteStore()


@pytest.fixture
def index(store: MemoryByteStore) -> SessionIndex:
    return SessionIndex(
        store, RecordCipher(KEYS), KeyedNames(KEYS), idle_seconds=3600, max_seconds=7200
    )


def seen(
    store: MemoryByteStore, reference: str, *, sid: str = "sid-a", **extra: object
) -> SessionSeen:
    """A session's write: its record exists, as the session interface would have written it."""
    name = "name-of-" + reference
    store.set(session_key(name), b"sealed session", 3600)
    fields: dict[str, object] = {
        "reference": reference,
        "name": name,
        "home_account_id": USER,
        "sign_in": GENERATION,
        "signed_in_at": time.time(),
        "device": "Browser/1.0",
        "address": "203.0.113.7",
        "sid": sid,
        "issuer": ISSUER,
        **extra,
    }
    return SessionSeen(**fields)  # type: ignore[arg-type]


def test_lists_live_sessions_of_the_current_sign_in_only(
    index: SessionIndex, store: MemoryByteStore
) -> None:
    assert index.seen(seen(store, "laptop"))
    assert index.seen(seen(store, "phone", device="Phone\x00\x07/2.0 " + "x" * 500))
    assert index.seen(seen(store, "old", sign_in="generation-0"))
    listed = index.sessions_of(USER, GENERATION)
    assert [s.reference for s in listed] == ["laptop", "phone"]
    assert (
        listed[1].device.startswith("Phone/2.0 ") and len(listed[1].device) == DEVICE_MAX_CHARACTERS
    )
    assert index.sessions_of(USER, None) == []
    # A session whose record is gone (signed out, expired) is never listed.
    store.delete(session_key("name-of-phone"))
    assert [s.reference for s in index.sessions_of(USER, GENERATION)] == ["laptop"]


def test_a_revoked_session_cannot_write_itself_back(
    index: SessionIndex, store: MemoryByteStore
) -> None:
    laptop = seen(store, "laptop")
    index.seen(laptop)
    assert index.revoke(USER, "laptop")
    assert store.get(session_key("name-of-laptop")) is None
    assert not index.seen(laptop)  # a request of it still in flight writes nothing
    assert not index.revoke(USER, "laptop") and not index.revoke(USER, "unknown")
    assert index.sessions_of(USER, GENERATION) == []


def test_ending_a_sid_ends_its_sessions_only(index: SessionIndex, store: MemoryByteStore) -> None:
    index.seen(seen(store, "laptop", sid="sid-a"))
    index.seen(seen(store, "phone", sid="sid-b"))
    assert index.end_identity_session("sid-unknown", None) == 0
    assert index.end_identity_session("sid-a", "https://someone.else/v2.0") == 0
    assert index.end_identity_session("sid-a", ISSUER) == 1
    assert [s.reference for s in index.sessions_of(USER, GENERATION)] == ["phone"]
    assert index.end_identity_session("sid-b", None) == 1
    assert index.sessions_of(USER, GENERATION) == []


def test_names_and_values_hold_no_sid_and_expire(
    index: SessionIndex, store: MemoryByteStore
) -> None:
    index.seen(seen(store, "laptop", sid="the-sid"))
    assert store.get(identity_session_key("the-sid")) is None
    sid_key = identity_session_key(KeyedNames(KEYS).name("the-sid"))
    sealed = store.get(sid_key)
    assert sealed is not None and b"the-sid" not in sealed and USER.encode() not in sealed
    record = store.get(session_index_key(USER))
    assert record is not None and b"Browser" not in record and b"the-sid" not in record


def test_revoke_all_forgets_the_index(index: SessionIndex, store: MemoryByteStore) -> None:
    index.seen(seen(store, "laptop"))
    index.seen(seen(store, "phone"))
    index.revoke_all(USER)
    assert store.get(session_index_key(USER)) is None
    assert store.get(session_key("name-of-laptop")) is None
    assert store.get(session_key("name-of-phone")) is None


def test_entries_idle_too_long_are_dropped(store: MemoryByteStore) -> None:
    index = SessionIndex(
        store, RecordCipher(KEYS), KeyedNames(KEYS), idle_seconds=1, max_seconds=7200
    )
    index.seen(seen(store, "laptop"))
    time.sleep(1.2)
    assert index.sessions_of(USER, GENERATION) == []
