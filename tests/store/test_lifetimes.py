"""Session and token cache lifetimes: sliding (idle) and absolute, on a real Redis."""

from __future__ import annotations

import time
from collections.abc import Iterator

import msal
import pytest
from auth_service.sessions import SealedSessionInterface
from flask import Flask, session
from flask.testing import FlaskClient

from signin_core.errors import ConfigurationError
from signin_core.resources import build_shared_resources
from signin_core.settings import IdentitySettings, load_settings
from signin_core.store.byte_store import RedisByteStore
from signin_core.store.keyed_names import KeyedNames
from signin_core.store.keys import session_key, token_cache_key
from signin_core.store.record_cipher import RecordCipher
from signin_core.store.redis_connection import RedisConnection
from signin_core.tokens.sign_ins import UserSignIns
from signin_core.web.metrics import build_metrics

KEY = "k" * 43
REQUIRED = {
    "client_id": "11111111-2222-3333-4444-555555555555",
    "client_secret": "a-real-looking-secret-value",
    "authority": "https://login.microsoftonline.com/contoso.example",
    "data_encryption_keys": KEY,
    "identity_assertion_key": "i" * 43,
}
DAY = 24 * 3600


def settings(**overrides: object) -> IdentitySettings:
    return IdentitySettings(**{**REQUIRED, **overrides})  # type: ignore[arg-type]


def test_default_lifetimes_follow_entra() -> None:
    defaults = settings()
    assert defaults.session_idle_seconds == DAY
    assert defaults.session_max_seconds == 7 * DAY
    assert defaults.token_cache_idle_seconds == 90 * DAY  # Entra's refresh token inactivity
    assert defaults.token_cache_ttl_seconds() == 7 * DAY  # no session outlives a week


def test_token_cache_lives_no_longer_than_its_refresh_token() -> None:
    long_sessions = settings(session_idle_seconds=DAY, session_max_seconds=180 * DAY)
    assert long_sessions.token_cache_ttl_seconds() == 90 * DAY


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        ({"SESSION_IDLE_SECONDS": "0"}, "SESSION_IDLE_SECONDS: .*positive"),
        ({"TOKEN_CACHE_IDLE_SECONDS": "-1"}, "TOKEN_CACHE_IDLE_SECONDS: .*positive"),
        (
            {"SESSION_IDLE_SECONDS": "7200", "SESSION_MAX_SECONDS": "3600"},
            "must not exceed SESSION_MAX_SECONDS",
        ),
        ({"REDIS_URL": "redis+cluster://n1:7000/2"}, "REDIS_URL: .*only database 0"),
        ({"REDIS_URL": "memcached://x"}, "REDIS_URL: .*must start with"),
    ],
)
def test_bad_lifetimes_and_redis_urls_stop_the_service(
    monkeypatch: pytest.MonkeyPatch, variables: dict[str, str], message: str
) -> None:
    for name, value in {**{k.upper(): v for k, v in REQUIRED.items()}, **variables}.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(ConfigurationError, match=message):
        load_settings(IdentitySettings, "svc")


def test_token_cache_ttl_is_renewed_by_every_write(standalone_connection: RedisConnection) -> None:
    configured = settings(
        redis_url=standalone_connection.target.url,
        session_idle_seconds=60,
        session_max_seconds=600,
        token_cache_idle_seconds=300,
    )
    resources = build_shared_resources(configured, build_metrics())
    tokens = resources.tokens
    UserSignIns(resources.store, lifetime_seconds=600).start("user-a")
    key = token_cache_key(configured.client_id, "user-a")
    client = standalone_connection.client()
    tokens.merge_sign_in("user-a", msal.SerializableTokenCache())
    assert 295 <= client.ttl(key) <= 300
    client.expire(key, 10)
    tokens.merge_sign_in("user-a", msal.SerializableTokenCache())  # as at the next sign-in
    assert 295 <= client.ttl(key) <= 300


def session_key_of(session_id: str, key: str = KEY) -> str:
    """The key a session id is stored under (a keyed hash of it), with the app's key."""
    return session_key(KeyedNames([key]).name(session_id))


def session_app(
    connection: RedisConnection, *, idle: int, absolute: int, keys: tuple[str, ...] = (KEY,)
) -> Flask:
    """A Flask app on our sessions: sign in (as "someone"), who is it, sign out here or
    everywhere; a session's user names its sign-in, as auth-service's do."""
    app = Flask(__name__)
    store = RedisByteStore(connection)
    sign_ins = UserSignIns(store, lifetime_seconds=absolute)
    sessions = SealedSessionInterface(
        app,
        store,
        RecordCipher(list(keys)),
        KeyedNames(list(keys)),
        sign_ins,
        idle_seconds=idle,
        max_seconds=absolute,
    )
    app.session_interface = sessions

    @app.post("/sign-in")
    def sign_in() -> str:
        sessions.regenerate(session)
        session["user"] = {
            "home_account_id": "someone-id",
            "name": "someone",
            "sign_in": sign_ins.start("someone-id"),
        }
        return "signed in"

    @app.get("/who")
    def who() -> str:
        return str(session.get("user", {}).get("name", "nobody"))

    @app.post("/sign-out")
    def sign_out() -> str:
        session.clear()
        return "signed out"

    @app.post("/sign-out-everywhere")
    def sign_out_everywhere() -> str:
        sign_ins.end("someone-id")
        session.clear()
        return "signed out everywhere"

    return app


@pytest.fixture
def sessions(standalone_connection: RedisConnection) -> Iterator[FlaskClient]:
    yield session_app(standalone_connection, idle=1, absolute=3).test_client()


def test_activity_keeps_a_session_past_its_idle_lifetime(sessions: FlaskClient) -> None:
    sessions.post("/sign-in")
    started = time.monotonic()
    while time.monotonic() - started < 2.2:
        assert sessions.get("/who").text == "someone"
        time.sleep(0.3)


def test_an_idle_session_ends(sessions: FlaskClient) -> None:
    sessions.post("/sign-in")
    assert sessions.get("/who").text == "someone"
    time.sleep(1.3)
    assert sessions.get("/who").text == "nobody"


def test_a_busy_session_ends_at_its_absolute_lifetime(
    sessions: FlaskClient, standalone_connection: RedisConnection
) -> None:
    sessions.post("/sign-in")
    started = time.monotonic()
    cookie = sessions.get_cookie("session")
    assert cookie is not None
    key = session_key_of(cookie.value)
    while time.monotonic() - started < 2.5:
        assert sessions.get("/who").text == "someone"
        time.sleep(0.3)
    assert standalone_connection.client().ttl(key) <= 1  # Redis drops it at the end
    time.sleep(3.1 - (time.monotonic() - started))
    assert sessions.get("/who").text == "nobody"


def test_signing_in_again_restarts_the_absolute_lifetime(sessions: FlaskClient) -> None:
    sessions.post("/sign-in")
    time.sleep(0.6)
    assert sessions.get("/who").text == "someone"
    time.sleep(0.6)
    sessions.post("/sign-in")  # after 1.2 s of a 3 s lifetime
    started = time.monotonic()
    while time.monotonic() - started < 2.2:
        assert sessions.get("/who").text == "someone"
        time.sleep(0.3)
