"""Step-up: authentication contexts (`acrs`), the second factor they ask for, and `amr`.

In Entra an authentication context id (c1 to c99) means what the tenant's Conditional Access
policies targeting it say. The emulator stands in one policy for every such id: "require
multi-factor authentication". A requested value that is not such an id is a context no policy
targets, and Entra's documented answer for that case is to add it to `acrs` without asking
anything more (the developer guide to authentication context, "ACRS requested, no policy
applied: ACRS added to claims"). An essential `amr` request for "mfa" asks the same second
factor (Entra reaches that only through a policy; the emulator honours the OIDC request).

The second factor, once done, counts for that account in that browser session, as Entra's
session remembers it; a user marked unable (through the control API) can never complete it.
Their attempt then ends in an error (FAIL_WITH_ERROR, AADSTS500121), or, with FAIL_WITHOUT_CONTEXT,
in a sign-in whose tokens lack the contexts, the developer guide's "policy applied, control
not satisfied: ACRS not added to claims", so that apps can test both answers.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass

from ms_emulator.claims_request import ClaimsRequest

CONTEXTS_WITH_POLICY = re.compile(r"^c([1-9]|[1-9][0-9])$")
PASSWORD_ONLY = ("pwd",)
FAIL_WITH_ERROR = "error"
FAIL_WITHOUT_CONTEXT = "without_context"
FAILURE_MODES = (FAIL_WITH_ERROR, FAIL_WITHOUT_CONTEXT)
WITH_SECOND_FACTOR = ("pwd", "mfa")


@dataclass(frozen=True)
class Authentication:
    """What a sign-in proved: the contexts it satisfied (acrs) and its methods (amr)."""

    acrs: tuple[str, ...] = ()
    amr: tuple[str, ...] = PASSWORD_ONLY


def needs_second_factor(claims: ClaimsRequest) -> bool:
    """Whether the request asks for MFA, or for a context a policy protects with it."""
    return claims.mfa or any(CONTEXTS_WITH_POLICY.match(value) for value in claims.contexts)


def authentication_for(claims: ClaimsRequest, *, second_factor_done: bool) -> Authentication:
    """The acrs and amr a sign-in answering claims carries."""
    satisfied = tuple(
        value
        for value in claims.contexts
        if second_factor_done or not CONTEXTS_WITH_POLICY.match(value)
    )
    return Authentication(satisfied, WITH_SECOND_FACTOR if second_factor_done else PASSWORD_ONLY)


class SecondFactors:
    """Which accounts completed the second factor in which browser session, and which users
    cannot complete it; guarded by a lock."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._done: set[tuple[str, str]] = set()
        self._unavailable: dict[str, str] = {}  # user id: how their attempt fails

    def done(self, session_id: str, user_id: str) -> bool:
        """Whether user_id completed the second factor in this browser session."""
        with self._lock:
            return (session_id, user_id) in self._done

    def complete(self, session_id: str, user_id: str) -> bool:
        """Record the second factor for user_id; False when the user cannot complete it."""
        with self._lock:
            if user_id in self._unavailable:
                return False
            self._done.add((session_id, user_id))
            return True

    def set_available(self, user_id: str, available: bool, failure: str = FAIL_WITH_ERROR) -> None:
        """Let user_id complete the second factor, or make them unable to (failing as
        failure says: one of FAILURE_MODES)."""
        with self._lock:
            if available:
                self._unavailable.pop(user_id, None)
            else:
                self._unavailable[user_id] = failure
                self._done = {pair for pair in self._done if pair[1] != user_id}

    def failure(self, user_id: str) -> str:
        """How user_id's failed attempt ends (FAIL_WITH_ERROR unless set otherwise)."""
        with self._lock:
            return self._unavailable.get(user_id, FAIL_WITH_ERROR)

    def available(self, user_id: str) -> bool:
        """Whether user_id can complete the second factor."""
        with self._lock:
            return user_id not in self._unavailable
