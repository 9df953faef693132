"""A user's groups when the ID token has too many to carry (group overage), read from Graph.

Past 200 groups Entra leaves `groups` out of the ID token and names, in `_claim_names` and
`_claim_sources`, where to ask instead. At sign-in auth-service asks Graph's
`POST /me/getMemberObjects` (security groups) with a token for GROUP_OVERAGE_SCOPE from the
user's own cache, and keeps the answer with the session, as it keeps the token's groups.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

import requests

from signin_core.identity.outbound_http import OutboundSession
from signin_core.tokens import IdentityPlatformUnavailableError, SignInRequiredError
from signin_core.tokens.interface import TokenCacheOwner

log = logging.getLogger(__name__)


def has_group_overage(claims: Mapping[str, Any]) -> bool:
    """True when the ID token left its groups out for Graph to give (or said it has some)."""
    names = claims.get("_claim_names")
    return (isinstance(names, Mapping) and "groups" in names) or claims.get("hasgroups") is True


class GroupMemberships:
    """Reads a signed-in user's security groups from Graph, as the user."""

    def __init__(
        self, tokens: TokenCacheOwner, http: OutboundSession, *, graph_base_url: str, scope: str
    ) -> None:
        self._tokens = tokens
        self._http = http
        self._url = graph_base_url.rstrip("/") + "/me/getMemberObjects"
        self._scope = scope

    def of(self, home_account_id: str) -> list[str] | None:
        """The user's security group ids, or None when Graph cannot say (logged, never raised):
        no consent to the scope, the identity platform or Graph unreachable or refusing."""
        try:
            token = self._tokens.token_for(home_account_id, [self._scope])
        except (SignInRequiredError, IdentityPlatformUnavailableError) as error:
            log.warning("group overage not resolved: no token for %s (%s)", self._scope, error)
            return None
        try:
            answer = self._http.post(
                self._url,
                json={"securityEnabledOnly": True},
                headers={"Authorization": f"Bearer {token}", "Accept": "application/json"},
            )
        except requests.RequestException as error:
            log.warning("group overage not resolved: Graph unreachable (%s)", type(error).__name__)
            return None
        if answer.status_code != 200:
            log.warning("group overage not resolved: Graph answered %s", answer.status_code)
            return None
        try:
            values = answer.json().get("value")
        except (ValueError, AttributeError):
            values = None
        if not isinstance(values, list):
            log.warning("group overage not resolved: Graph's answer had no list of groups")
            return None
        return [str(value) for value in values if isinstance(value, str)]
