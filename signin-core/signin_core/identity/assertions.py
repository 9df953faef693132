"""Short-lived signed statements of who the signed-in user is, from auth-service to others."""

from __future__ import annotations

import base64
import hashlib
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

import jwt

ISSUER = "auth-service"
AUDIENCE = "signin-stack"
ALGORITHM = "HS256"
HEADER_NAME = "X-User-Assertion"
# A grant: what the app behind nginx gets, to call graph-service as the user from its own
# backend. Its own audience, so that neither can stand for the other.
GRANT_AUDIENCE = "signin-stack-graph-grant"
GRANT_HEADER_NAME = "X-Graph-Grant"
# An API client's request (Authorization: Bearer): the assertion names the token by its hash,
# so that graph-service uses for on-behalf-of only the token auth-service validated.
TOKEN_HASH_CLAIM = "tkh"
# Assertions verified lately, remembered by their exact text until they expire: nginx keeps a
# session's passed check for a few seconds (SESSION_CHECK_CACHE_SECONDS), so it sends the same
# assertion again and again. Bounded: the least recently used goes first.
VERIFIED_MEMO_SIZE = 1024


def token_hash(token: str) -> str:
    """The SHA-256 of a bearer token, base64url: what an assertion binds it with."""
    digest = hashlib.sha256(token.encode("utf-8")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


class InvalidAssertionError(Exception):
    """The assertion is missing, forged, expired or meant for someone else."""


@dataclass(frozen=True)
class SignedInUser:
    """Who a request acts for."""

    home_account_id: str
    object_id: str
    tenant_id: str
    name: str
    username: str
    # Set for an API client's request: the hash of its bearer token (token_hash), and whether
    # the token is an app's own (app-only, no user) rather than a user's.
    bearer_token_hash: str = ""
    is_app: bool = False


@dataclass(frozen=True)
class _Verified:
    user: SignedInUser
    expires_at: float


class IdentityAssertions:
    """Issues and verifies identity assertions with one shared key.

    A verified assertion is remembered by its exact text (and audience) until its `exp`, up to
    memo_size of them: the same text verifies to the same user until then, so verifying it
    again only checks the clock. Only a verified assertion is remembered; any other text,
    however close, is verified in full."""

    def __init__(
        self,
        key: str,
        *,
        lifetime_seconds: int = 60,
        memo_size: int = VERIFIED_MEMO_SIZE,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if len(key) < 32:
            raise ValueError("IDENTITY_ASSERTION_KEY must be at least 32 characters")
        self._key = key
        self._lifetime = lifetime_seconds
        self._memo_size = memo_size
        self._clock = clock
        self._verified: OrderedDict[tuple[str, str], _Verified] = OrderedDict()
        self._memo_guard = threading.Lock()

    def issue(self, user: SignedInUser) -> str:
        """Return a signed assertion for user, valid for a short time."""
        return self._issue(user, AUDIENCE)

    def issue_grant(self, user: SignedInUser) -> str:
        """Return a grant for user's app to call graph-service with, valid for a short time."""
        return self._issue(user, GRANT_AUDIENCE)

    def verify_grant(self, grant: str | None) -> SignedInUser:
        """Return the user a grant is for, or raise InvalidAssertionError."""
        return self._verify(grant, GRANT_AUDIENCE)

    def _issue(self, user: SignedInUser, audience: str) -> str:
        now = int(time.time())
        claims = {
            "iss": ISSUER,
            "aud": audience,
            "iat": now,
            "exp": now + self._lifetime,
            "sub": user.home_account_id,
            "oid": user.object_id,
            "tid": user.tenant_id,
            "name": user.name,
            "preferred_username": user.username,
        }
        if user.bearer_token_hash:
            claims[TOKEN_HASH_CLAIM] = user.bearer_token_hash
        if user.is_app:
            claims["idtyp"] = "app"
        return jwt.encode(claims, self._key, algorithm=ALGORITHM)

    def verify(self, assertion: str | None) -> SignedInUser:
        """Return the user an assertion vouches for, or raise InvalidAssertionError."""
        return self._verify(assertion, AUDIENCE)

    def _verify(self, assertion: str | None, audience: str) -> SignedInUser:
        if not assertion:
            raise InvalidAssertionError("no identity assertion")
        memo_key = (audience, assertion)
        with self._memo_guard:
            found = self._verified.get(memo_key)
            if found is not None:
                if self._clock() < found.expires_at:
                    self._verified.move_to_end(memo_key)
                    return found.user
                del self._verified[memo_key]
                raise InvalidAssertionError("Signature has expired")
        user, expires_at = self._decode(assertion, audience)
        with self._memo_guard:
            self._verified[memo_key] = _Verified(user, expires_at)
            while len(self._verified) > self._memo_size:
                self._verified.popitem(last=False)
        return user

    def _decode(self, assertion: str, audience: str) -> tuple[SignedInUser, float]:
        """Check the signature and claims in full: the user, and when the assertion expires."""
        try:
            claims = jwt.decode(
                assertion,
                self._key,
                algorithms=[ALGORITHM],
                audience=audience,
                issuer=ISSUER,
                options={"require": ["exp", "iat", "sub", "iss", "aud"]},
            )
        except jwt.PyJWTError as error:
            raise InvalidAssertionError(str(error)) from error
        user = SignedInUser(
            home_account_id=str(claims["sub"]),
            object_id=str(claims.get("oid", "")),
            tenant_id=str(claims.get("tid", "")),
            name=str(claims.get("name", "")),
            username=str(claims.get("preferred_username", "")),
            bearer_token_hash=str(claims.get(TOKEN_HASH_CLAIM, "")),
            is_app=claims.get("idtyp") == "app",
        )
        return user, float(claims["exp"])
