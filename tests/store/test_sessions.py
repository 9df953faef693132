"""Browser sessions on Flask-Session over our sealed store, on every Redis topology."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask.testing import FlaskClient

from signin_core.store.record_cipher import FORMAT_VERSION, RecordCipher, UndecryptableRecordError
from signin_core.store.redis_connection import RedisConnection
from tests.store.test_lifetimes import KEY, session_app, session_key_of

OTHER_KEY = "o" * 43
HOUR = 3600


@pytest.fixture
def browser(redis_connection: RedisConnection) -> Iterator[FlaskClient]:
    yield session_app(redis_connection, idle=HOUR, absolute=8 * HOUR).test_client()


def session_id(browser: FlaskClient) -> str:
    cookie = browser.get_cookie("session")
    assert cookie is not None
    return cookie.value


def sign_in(browser: FlaskClient) -> str:
    """Sign in on browser; return its new session id."""
    browser.post("/sign-in")
    return session_id(browser)


def raw_record(connection: RedisConnection, sid: str) -> bytes | None:
    value = connection.client().get(session_key_of(sid))
    return value if isinstance(value, bytes) else None


def test_the_cookie_is_an_http_only_lax_browser_session_cookie(browser: FlaskClient) -> None:
    answer = browser.post("/sign-in")
    cookie = answer.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Path=/" in cookie
    assert "Expires" not in cookie and "Max-Age" not in cookie
    assert len(session_id(browser)) == 43


def test_the_record_is_sealed_and_bound_to_its_key_name(
    browser: FlaskClient, redis_connection: RedisConnection
) -> None:
    sid = sign_in(browser)
    sealed = raw_record(redis_connection, sid)
    assert sealed is not None and sealed.startswith(FORMAT_VERSION)
    assert b"someone" not in sealed
    with pytest.raises(UndecryptableRecordError):
        RecordCipher([KEY]).open(sealed, record_name=session_key_of("x" * 43))
    other = "A" * 43  # the same bytes under another session's name are no session
    redis_connection.client().set(session_key_of(other), sealed, ex=60)
    browser.set_cookie("session", other)
    assert browser.get("/who").text == "nobody"


@pytest.mark.parametrize("cookie", ["short", "a" * 44, "a" * 42 + "!", "signin:session:x"])
def test_a_malformed_id_is_a_new_session(browser: FlaskClient, cookie: str) -> None:
    browser.set_cookie("session", cookie)
    assert browser.get("/who").text == "nobody"
    browser.post("/sign-in")
    assert session_id(browser) != cookie
    assert browser.get("/who").text == "someone"


def test_a_record_sealed_with_an_unknown_key_is_absent(
    browser: FlaskClient, redis_connection: RedisConnection
) -> None:
    sid = "B" * 43
    name = session_key_of(sid)
    sealed = RecordCipher([OTHER_KEY]).seal(b'{"user":{"name":"someone"}}', record_name=name)
    redis_connection.client().set(name, sealed, ex=60)
    browser.set_cookie("session", sid)
    assert browser.get("/who").text == "nobody"


def test_signing_in_again_gives_a_new_id_and_deletes_the_old_record(
    browser: FlaskClient, redis_connection: RedisConnection
) -> None:
    first = sign_in(browser)
    second = sign_in(browser)
    assert second != first
    assert raw_record(redis_connection, first) is None
    assert raw_record(redis_connection, second) is not None


def test_activity_rewrites_the_record_at_most_once_a_touch_interval(
    browser: FlaskClient, redis_connection: RedisConnection
) -> None:
    sid = sign_in(browser)
    written = raw_record(redis_connection, sid)
    for _ in range(3):
        answer = browser.get("/who")
        assert answer.text == "someone"
        assert "Set-Cookie" not in answer.headers
    assert raw_record(redis_connection, sid) == written


def test_signing_out_deletes_the_record_and_the_cookie(
    browser: FlaskClient, redis_connection: RedisConnection
) -> None:
    sid = sign_in(browser)
    answer = browser.post("/sign-out")
    assert "session=;" in answer.headers["Set-Cookie"]
    assert raw_record(redis_connection, sid) is None
    assert browser.get("/who").text == "nobody"


def test_a_session_is_stored_under_a_keyed_hash_of_its_id_never_the_id(
    browser: FlaskClient, redis_connection: RedisConnection
) -> None:
    sid = sign_in(browser)
    names = [key.decode() for key in redis_connection.client().scan_iter("signin:session:*")]
    assert session_key_of(sid) in names
    assert not any(sid in name for name in names)
    # Without the server's key, the name says nothing: another key gives another name.
    assert session_key_of(sid, OTHER_KEY) not in names
    # And the name used as a cookie is no session.
    browser.set_cookie("session", session_key_of(sid).rsplit(":", 1)[1])
    assert browser.get("/who").text == "nobody"


def test_a_session_named_with_a_rotated_out_key_is_found_and_renamed(
    redis_connection: RedisConnection,
) -> None:
    before = session_app(redis_connection, idle=HOUR, absolute=8 * HOUR).test_client()
    sid = sign_in(before)
    after = session_app(
        redis_connection, idle=HOUR, absolute=8 * HOUR, keys=(OTHER_KEY, KEY)
    ).test_client()
    after.set_cookie("session", sid)
    assert after.get("/who").text == "someone"
    client = redis_connection.client()
    assert client.exists(session_key_of(sid, OTHER_KEY))
    assert not client.exists(session_key_of(sid, KEY))


def test_signing_out_everywhere_ends_every_session_of_the_user(
    redis_connection: RedisConnection,
) -> None:
    app = session_app(redis_connection, idle=HOUR, absolute=8 * HOUR)
    laptop, phone = app.test_client(), app.test_client()
    sign_in(laptop)
    phone_id = sign_in(phone)
    assert phone.get("/who").text == "someone"
    laptop.post("/sign-out-everywhere")
    assert phone.get("/who").text == "nobody"
    assert raw_record(redis_connection, phone_id) is None
    sign_in(laptop)  # a new sign-in does not bring the old sessions back
    phone.set_cookie("session", phone_id)
    assert phone.get("/who").text == "nobody"
