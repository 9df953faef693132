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


class CountingDecode:
    """jwt.decode, counting its calls: how often an assertion was verified in full."""

    def __init__(self) -> None:
        self.calls = 0
        self._decode = jwt.decode

    def __call__(self, *arguments: object, **options: object) -> object:
        self.calls += 1
        return self._decode(*arguments, **options)  # type: ignore[arg-type]


@pytest.fixture
def full_verifications(monkeypatch: pytest.MonkeyPatch) -> CountingDecode:
    counting = CountingDecode()
    monkeypatch.setattr(jwt, "decode", counting)
    return counting


def test_the_same_assertion_is_verified_in_full_once(full_verifications: CountingDecode) -> None:
    assertions = IdentityAssertions(KEY)
    assertion = assertions.issue(USER)
    assert [assertions.verify(assertion) for _ in range(3)] == [USER] * 3
    assert full_verifications.calls == 1
    # The memo is per audience: the same text is no grant, and a grant no assertion.
    with pytest.raises(InvalidAssertionError):
        assertions.verify_grant(assertion)
    with pytest.raises(InvalidAssertionError):
        assertions.verify(assertions.issue_grant(USER))


def test_a_remembered_assertion_is_refused_once_it_expires() -> None:
    now = [time.time()]
    assertions = IdentityAssertions(KEY, lifetime_seconds=60, clock=lambda: now[0])
    assertion = assertions.issue(USER)
    assert assertions.verify(assertion) == USER
    now[0] += 61
    with pytest.raises(InvalidAssertionError, match="expired"):
        assertions.verify(assertion)


def test_the_memo_keeps_the_most_recently_used(full_verifications: CountingDecode) -> None:
    assertions = IdentityAssertions(KEY, memo_size=2)
    first, second, third = (
        assertions.issue(SignedInUser(f"u{n}.tid", f"u{n}", "tid", "", "")) for n in range(3)
    )
    for assertion in (first, second, first, third):  # third pushes out second, not first
        assertions.verify(assertion)
    assertions.verify(first)
    assert full_verifications.calls == 3
    assertions.verify(second)
    assert full_verifications.calls == 4
