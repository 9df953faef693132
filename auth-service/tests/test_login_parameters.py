"""login_parameters: the extra scopes and claims challenge a /login link may carry."""

from __future__ import annotations

import base64
import json

import pytest
from auth_service.login_parameters import MAX_EXTRA_SCOPES, claims_challenge, requested_scopes


def encoded(text: str) -> str:
    """text as base64url without padding, as a claims challenge travels in a link."""
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def test_scopes_are_split_and_the_reserved_ones_dropped() -> None:
    assert requested_scopes(None) == []
    assert requested_scopes("Mail.Read  openid User.ReadBasic.All") == [
        "Mail.Read",
        "User.ReadBasic.All",
    ]


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (" ".join(["Mail.Read"] * (MAX_EXTRA_SCOPES + 1)), "At most"),
        ("Mail.Read https://evil.example", "is not a Microsoft Graph permission name"),
        ("1Mail", "is not a Microsoft Graph permission name"),
        ("Mail<script>", "is not a Microsoft Graph permission name"),
    ],
)
def test_malformed_scopes_are_refused_with_a_reason(raw: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        requested_scopes(raw)


def test_a_claims_challenge_is_decoded_to_its_json_text() -> None:
    challenge = json.dumps({"access_token": {"nbf": {"essential": True, "value": "1"}}})
    assert claims_challenge(encoded(challenge)) == challenge
    assert claims_challenge(None) is None


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("A" * 5000, "too long"),
        ("not base64!", "not valid base64url JSON"),
        (encoded("not json"), "not valid base64url JSON"),
        (encoded("[1, 2]"), "must be a JSON object"),
    ],
)
def test_malformed_claims_challenges_are_refused_with_a_reason(raw: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        claims_challenge(raw)
