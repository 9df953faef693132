"""Identity assertions: only auth-service's key makes one that graph-service accepts."""

from __future__ import annotations

import time

import jwt
import pytest

from signin_core.identity.assertions import (
    AUDIENCE,
    ISSUER,
    IdentityAssertions,
    InvalidAssertionError,
    SignedInUser,
)

KEY = "k" * 43
USER = SignedInUser("uid.tid", "uid", "tid", "Adele Vance", "adele@contoso.example")


def test_issued_assertion_verifies_to_the_same_user() -> None:
    assertions = IdentityAssertions(KEY)
    assert assertions.verify(assertions.issue(USER)) == USER


def claims(**overrides: object) -> dict[str, object]:
    now = int(time.time())
    base: dict[str, object] = {"iss": ISSUER, "aud": AUDIENCE, "iat": now, "exp": now + 60}
    return {**base, "sub": "uid.tid", **overrides}


@pytest.mark.parametrize(
    "assertion",
    [
        None,
        "",
        "not-a-jwt",
        jwt.encode(claims(), "another-key-of-the-right-length-0000000", algorithm="HS256"),
        jwt.encode(claims(exp=int(time.time()) - 5), KEY, algorithm="HS256"),
        jwt.encode(claims(aud="someone-else"), KEY, algorithm="HS256"),
        jwt.encode(claims(iss="not-auth-service"), KEY, algorithm="HS256"),
        jwt.encode(claims(), key="", algorithm="none"),
    ],
    ids=["none", "empty", "garbage", "wrong-key", "expired", "audience", "issuer", "alg-none"],
)
def test_bad_assertions_are_refused(assertion: str | None) -> None:
    with pytest.raises(InvalidAssertionError):
        IdentityAssertions(KEY).verify(assertion)


def test_short_key_is_refused() -> None:
    with pytest.raises(ValueError, match="IDENTITY_ASSERTION_KEY"):
        IdentityAssertions("short")
