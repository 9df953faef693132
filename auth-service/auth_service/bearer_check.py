"""The session check for API clients: a bearer token instead of the browser's session cookie.

nginx passes the Authorization header to the check only when it looks like a bearer token
(default.conf.template, $authorization_for_check); a request that sent one is judged by it
alone, never by a cookie it also carries. A refusal is 401 (403 for a missing scope or role)
with RFC 6750's challenge, which nginx relays to the client as WWW-Authenticate.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from flask.typing import ResponseReturnValue

from auth_service.authority_keys import AuthorityUnavailableError
from auth_service.bearer_tokens import BearerTokenError

if TYPE_CHECKING:
    from auth_service.service import AuthService

log = logging.getLogger(__name__)
AUTHORIZATION_HEADER = "Authorization"
# The challenge travels to nginx in a header of ours, which nginx relays as WWW-Authenticate
# on the 401 or 403 it answers (a WWW-Authenticate of the check's own nginx would copy on a
# 401 by itself, and the client would get it twice).
CHALLENGE_HEADER = "X-Auth-Challenge"
MALFORMED = "Bearer !malformed"  # what nginx sends for a bearer header it will not pass on
Vouch = Callable[..., ResponseReturnValue]


def refusal(error: BearerTokenError, *, scope: str | None = None) -> ResponseReturnValue:
    """The check's answer to a refused token: its status and WWW-Authenticate challenge."""
    log.info("bearer token refused: %s", error.description)
    return "", error.status, {CHALLENGE_HEADER: error.challenge(scope), "Cache-Control": "no-store"}


def bearer_check(state: AuthService, header: str, vouch: Vouch) -> ResponseReturnValue:
    """Validate the request's bearer token and vouch for its user or app, or refuse it."""
    scheme, _, token = header.strip().partition(" ")
    token = token.strip()
    if header.strip() == MALFORMED or scheme.lower() != "bearer" or not token:
        return refusal(
            BearerTokenError(
                "the Authorization header is not a well-formed bearer token",
                error="invalid_request",
            )
        )
    validator = state.bearer_tokens
    try:
        principal = validator.validate(token)
    except BearerTokenError as error:
        scope = validator.required_scope if error.error == "insufficient_scope" else None
        return refusal(error, scope=scope)
    except AuthorityUnavailableError as error:
        log.error("cannot check bearer tokens, the authority's keys are unavailable: %s", error)
        return "", 503, {"Cache-Control": "no-store"}
    user: dict[str, Any] = principal.as_session_user()
    return vouch(state, user, bearer_token_hash=principal.token_hash)
