"""step_up: the claims request a route asks for, and checking what a sign-in brought back."""

from __future__ import annotations

import json

import pytest
from auth_service.route_policy import RouteRule
from auth_service.step_up import StepUp


def test_a_context_and_mfa_become_one_claims_request() -> None:
    rule = RouteRule("/app/pay/", None, None, auth_context="c1", mfa=True)
    assert json.loads(StepUp.of_rule(rule).claims_request()) == {
        "id_token": {
            "acrs": {"essential": True, "value": "c1"},
            "amr": {"essential": True, "values": ["mfa"]},
        }
    }


def test_the_claims_request_reads_back_as_what_was_asked() -> None:
    asked = StepUp("c7", mfa=False)
    assert StepUp.asked_in(asked.claims_request()) == asked
    assert StepUp.asked_in(StepUp(None, mfa=True).claims_request()) == StepUp(None, mfa=True)


@pytest.mark.parametrize(
    "claims",
    [
        None,
        "",
        "not json",
        "[]",
        '{"access_token": {"nbf": {"essential": true, "value": "1"}}}',  # a CAE challenge
        '{"id_token": {"acrs": {"essential": true, "value": 3}}}',
    ],
)
def test_a_sign_in_that_asked_no_step_up_is_none(claims: str | None) -> None:
    assert StepUp.asked_in(claims) is None


@pytest.mark.parametrize(
    ("asked", "id_token", "met"),
    [
        (StepUp("c1"), {"acrs": ["c1"], "amr": ["pwd", "mfa"]}, True),
        (StepUp("c1"), {"amr": ["pwd", "mfa"]}, False),  # came back without the context
        (StepUp("c1"), {"acrs": "c1"}, False),  # malformed
        (StepUp("c1"), {"acrs": ["c2"]}, False),
        (StepUp(None, mfa=True), {"amr": ["pwd"]}, False),
        (StepUp(None, mfa=True), {"amr": ["pwd", "mfa"]}, True),
        (StepUp("c1", mfa=True), {"acrs": ["c1"], "amr": ["pwd"]}, False),
    ],
)
def test_what_the_id_token_proves(asked: StepUp, id_token: dict, met: bool) -> None:
    assert asked.met_by(id_token) is met
