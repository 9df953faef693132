"""Redis bytes per signed-in user: the session and the token cache after sign-in and one call."""

from __future__ import annotations

import json
import secrets
import statistics
import zlib
from dataclasses import dataclass
from pathlib import Path

import msal
import redis
import requests

from benchmarks.tables import format_table
from native_stack.edge import LIFTED_SIGN_IN_LIMITS
from native_stack.stack import NativeStack, StackOptions
from signin_core.store.record_cipher import RecordCipher
from signin_core.tokens import TokenCacheRecords
from signin_core.tokens.records import stored_cache_text
from tests.support.browser import Browser
from tests.support.sign_in import sign_in_through
from tests.support.stack_records import session_key_of, stack_token_caches

USERS = 20
# The emulator's refresh tokens are short handles; Entra's are opaque encrypted blobs of
# roughly this many characters, which compress hardly at all. Used for the estimate rows.
ENTRA_REFRESH_TOKEN_CHARACTERS = 1400
WARM_UP_USERS = 2  # not measured: the first sign-ins also warm the services up
TARGET_BYTES_PER_USER = 3 * 1024
SESSION_COOKIE = "signin_session"
TOKEN_KINDS = {
    "access": msal.TokenCache.CredentialType.ACCESS_TOKEN,
    "refresh": msal.TokenCache.CredentialType.REFRESH_TOKEN,
    "ID": msal.TokenCache.CredentialType.ID_TOKEN,
}


@dataclass(frozen=True)
class RecordSize:
    """One stored record: what Redis holds and what it came from."""

    stored_bytes: int  # STRLEN: the sealed value
    memory_usage: int  # MEMORY USAGE: value, key and Redis's own overhead
    plaintext_bytes: int  # the JSON before compression and encryption
    compressed_bytes: int  # the JSON after zlib


@dataclass(frozen=True)
class UserFootprint:
    """Both records of one signed-in user, and the token strings in the cache."""

    session: RecordSize
    token_cache: RecordSize
    token_lengths: dict[str, int]
    cache_plaintext: bytes


def _add_users(stack: NativeStack, count: int) -> list[str]:
    with requests.Session() as http:
        http.trust_env = False
        http.verify = str(stack.ca_file)
        usernames = []
        for number in range(1, count + 1):
            username = f"bench.user{number}@contoso.example"
            answer = http.post(
                stack.emulator_url + "/_control/users",
                json={"userPrincipalName": username, "displayName": f"Bench User{number}"},
                timeout=10,
            )
            answer.raise_for_status()
            usernames.append(username)
    return usernames


def _record_size(client: redis.Redis, key: str, plaintext: bytes) -> RecordSize:
    memory = client.memory_usage(key, samples=0)
    return RecordSize(
        stored_bytes=int(client.strlen(key)),
        memory_usage=int(memory or 0),
        plaintext_bytes=len(plaintext),
        compressed_bytes=len(zlib.compress(plaintext)),
    )


def _plaintext(client: redis.Redis, cipher: RecordCipher, key: str) -> bytes:
    sealed = client.get(key)
    assert isinstance(sealed, bytes), f"no record at {key}"
    return cipher.open(sealed, record_name=key).plaintext


def _footprint(
    stack: NativeStack, client: redis.Redis, caches: TokenCacheRecords, session_id: str
) -> UserFootprint:
    cipher = RecordCipher([stack.data_encryption_keys])
    key = session_key_of(stack, session_id)
    session_plaintext = _plaintext(client, cipher, key)
    home_account_id = json.loads(session_plaintext)["user"]["home_account_id"]
    cache_key = caches.key_for(home_account_id)
    cache = caches.load(home_account_id).cache
    cache_plaintext = stored_cache_text(cache).encode("utf-8")
    lengths = {
        name: sum(len(entry["secret"]) for entry in cache.search(kind))
        for name, kind in TOKEN_KINDS.items()
    }
    return UserFootprint(
        session=_record_size(client, key, session_plaintext),
        token_cache=_record_size(client, cache_key, cache_plaintext),
        token_lengths=lengths,
        cache_plaintext=cache_plaintext,
    )


def _with_entra_sized_refresh_token(footprint: UserFootprint) -> RecordSize:
    """The token cache record as it would be with an Entra-sized refresh token (computed)."""
    sections = json.loads(footprint.cache_plaintext)
    for entry in sections.get("RefreshToken", {}).values():
        entry["secret"] = secrets.token_urlsafe(ENTRA_REFRESH_TOKEN_CHARACTERS)[
            :ENTRA_REFRESH_TOKEN_CHARACTERS
        ]
    plaintext = json.dumps(sections, separators=(",", ":")).encode()
    stored = len(RecordCipher(["estimate" * 5]).seal(plaintext, record_name="estimate"))
    overhead = footprint.token_cache.memory_usage - footprint.token_cache.stored_bytes
    return RecordSize(stored, stored + overhead, len(plaintext), len(zlib.compress(plaintext)))


def _sum(first: RecordSize, second: RecordSize) -> RecordSize:
    return RecordSize(
        *(a + b for a, b in zip(vars(first).values(), vars(second).values(), strict=True))
    )


def _sign_in_users(stack: NativeStack, usernames: list[str]) -> list[str]:
    """Sign each user in, call /graph/me once, and return their session ids."""
    session_ids = []
    for username in usernames:
        browser = Browser()
        try:
            sign_in_through(browser, stack.public_url, username)
            assert browser.get(stack.public_url + "/graph/me").status_code == 200
            session_ids.append(str(browser.http.cookies[SESSION_COOKIE]))
        finally:
            browser.close()
    return session_ids


def _mean(values: list[int]) -> int:
    return round(statistics.mean(values))


def _row(name: str, sizes: list[RecordSize]) -> list[str]:
    return [
        name,
        str(_mean([s.stored_bytes for s in sizes])),
        str(_mean([s.memory_usage for s in sizes])),
        str(_mean([s.plaintext_bytes for s in sizes])),
        str(_mean([s.compressed_bytes for s in sizes])),
    ]


def measure(run_dir: Path, users: int = USERS) -> list[UserFootprint]:
    """Sign users in on a fresh stack and return their footprints."""
    # Its sign-ins all come from 127.0.0.1, more than the documented per-address limit allows.
    options = StackOptions(run_dir=run_dir / "stack", nginx_env=dict(LIFTED_SIGN_IN_LIMITS))
    stack = NativeStack(options)
    stack.start()
    try:
        assert stack.registration is not None
        client = stack.redis_client()
        caches = stack_token_caches(stack)
        usernames = _add_users(stack, WARM_UP_USERS + users)
        _sign_in_users(stack, usernames[:WARM_UP_USERS])
        session_ids = _sign_in_users(stack, usernames[WARM_UP_USERS:])
        footprints = [_footprint(stack, client, caches, sid) for sid in session_ids]
        client.close()
    finally:
        stack.stop()
    return footprints


def run(run_dir: Path) -> str:
    """Measure and return the table."""
    footprints = measure(run_dir)
    sessions = [f.session for f in footprints]
    token_caches = [f.token_cache for f in footprints]
    per_user = [_sum(s, t) for s, t in zip(sessions, token_caches, strict=True)]
    entra_caches = [_with_entra_sized_refresh_token(f) for f in footprints]
    entra_per_user = [_sum(s, t) for s, t in zip(sessions, entra_caches, strict=True)]
    header = ["record (mean of users)", "stored", "MEMORY USAGE", "JSON", "JSON zlib"]
    rows = [
        _row("session", sessions),
        _row("token cache", token_caches),
        _row("per user", per_user),
        _row("token cache, Entra-size RT*", entra_caches),
        _row("per user, Entra-size RT*", entra_per_user),
    ]
    per_user_memory = _mean([s.memory_usage for s in per_user])
    verdict = "within" if per_user_memory <= TARGET_BYTES_PER_USER else "OVER"
    tokens = ", ".join(
        f"{name} {_mean([f.token_lengths[name] for f in footprints])}" for name in TOKEN_KINDS
    )
    notes = (
        f"{len(footprints)} users, each signed in with one Graph scope and one /graph/me call; "
        "bytes.\n"
        f"per user: {per_user_memory} bytes by MEMORY USAGE, {verdict} the target of "
        f"{TARGET_BYTES_PER_USER} (the token cache's ID token is not stored).\n"
        f"token characters per cache (emulator): {tokens}.\n"
        f"* computed: the same caches with a {ENTRA_REFRESH_TOKEN_CHARACTERS}-character random "
        f"refresh token in place of the emulator's; per user "
        f"{_mean([s.memory_usage for s in entra_per_user])} bytes.\n"
    )
    return format_table("Redis bytes per signed-in user", header, rows) + notes
