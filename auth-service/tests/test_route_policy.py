"""The app's route policy: longest path first, any_of / all_of, paths compared as nginx routes."""

from __future__ import annotations

import json

import pytest
from auth_service.route_policy import RoutePolicy, routed_path

POLICY = RoutePolicy.parse(
    json.dumps(
        {
            "routes": [
                {"path": "/app/admin/", "roles": {"any_of": ["Admin"]}},
                {"path": "/app/admin/audit/", "roles": {"all_of": ["Admin", "Auditor"]}},
                {
                    "path": "/app/finance/",
                    "roles": {"any_of": ["Reader", "Admin"]},
                    "groups": {"all_of": ["g-finance"]},
                },
            ]
        }
    )
)


@pytest.mark.parametrize(
    ("path", "roles", "groups", "allowed"),
    [
        ("/app/", [], [], True),  # no rule: every signed-in user
        ("/app/admin/", ["Admin"], [], True),
        ("/app/admin/", ["Reader"], [], False),
        ("/app/admin", [], [], False),  # the directory without its slash
        ("/app/admin/users?x=1", [], [], False),
        ("/app/administrator", [], [], True),  # another path, not under /app/admin/
        ("/app/admin/audit/log", ["Admin"], [], False),  # the longer rule decides
        ("/app/admin/audit/log", ["Admin", "Auditor"], [], True),
        ("/app/finance/q3", ["Reader"], [], False),  # both roles and groups needed
        ("/app/finance/q3", ["Reader"], ["g-finance"], True),
        # What nginx would route to /app/admin/, however it is spelled.
        ("/app/%61dmin/", [], [], False),
        ("/app/x/../admin/", [], [], False),
        ("//app//admin/", [], [], False),
        ("/app/./admin/", [], [], False),
        ("/app/%2e%2e/app/admin/", [], [], False),
    ],
)
def test_decisions(path: str, roles: list[str], groups: list[str], allowed: bool) -> None:
    assert POLICY.decide(path, roles, groups).allowed is allowed


def test_routed_path_keeps_a_directory_slash() -> None:
    assert routed_path("/app/admin/") == "/app/admin/"
    assert routed_path("/app/admin/..") == "/app/"
    assert routed_path("/a/b/../c?q=/d") == "/a/c"
    assert routed_path("") == "/"


def test_no_policy_allows_everything() -> None:
    assert RoutePolicy.parse(None).decide("/app/admin/", [], []).allowed
    assert RoutePolicy.parse("  ").rules == []


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{", "is not JSON"),
        ("[]", '"routes" list'),
        ('{"routes": [1]}', "route 1 must be an object"),
        ('{"routes": [{"path": "app/", "roles": {"any_of": ["A"]}}]}', '"path"'),
        ('{"routes": [{"path": "/app/../x/", "roles": {"any_of": ["A"]}}]}', '"path"'),
        ('{"routes": [{"path": "/app/"}]}', 'none of "roles", "groups", "auth_context" or "mfa"'),
        ('{"routes": [{"path": "/app/", "auth_context": "c100"}]}', "c1 to c99"),
        ('{"routes": [{"path": "/app/", "auth_context": "C1"}]}', "c1 to c99"),
        ('{"routes": [{"path": "/app/", "auth_context": 1}]}', "c1 to c99"),
        ('{"routes": [{"path": "/app/", "mfa": "yes"}]}', '"mfa" must be true or false'),
        ('{"routes": [{"path": "/app/", "mfa": false}]}', "none of"),
        ('{"routes": [{"path": "/app/", "roles": {"one_of": ["A"]}}]}', "any_of"),
        ('{"routes": [{"path": "/app/", "roles": {"any_of": []}}]}', "non-empty list"),
        ('{"routes": [{"path": "/app/", "roles": ["A"]}]}', "any_of"),
        ('{"routes": [{"path": "/app/", "role": {"any_of": ["A"]}}]}', "unknown fields: role"),
    ],
)
def test_a_policy_that_cannot_be_read_says_why(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        RoutePolicy.parse(text)


STEP_UP_POLICY = RoutePolicy.parse(
    json.dumps(
        {
            "routes": [
                {"path": "/app/pay/", "auth_context": "c1"},
                {"path": "/app/mfa/", "mfa": True},
                {"path": "/app/admin/", "roles": {"any_of": ["Admin"]}, "auth_context": "c2"},
            ]
        }
    )
)


@pytest.mark.parametrize(
    ("path", "roles", "acrs", "amr", "allowed", "step_up"),
    [
        ("/app/", [], [], ["pwd"], True, False),  # a plain path never asks
        ("/app/pay/x", [], [], ["pwd"], False, True),
        ("/app/pay/x", [], ["c2"], ["pwd", "mfa"], False, True),  # another context
        ("/app/pay/x", [], ["c1"], ["pwd", "mfa"], True, False),
        ("/app/mfa/", [], [], ["pwd"], False, True),
        ("/app/mfa/", [], ["c1"], ["pwd", "mfa"], True, False),
        # Without the role no sign-in helps: refused, not asked to step up.
        ("/app/admin/", ["Reader"], [], ["pwd"], False, False),
        ("/app/admin/", ["Admin"], [], ["pwd"], False, True),
        ("/app/admin/", ["Admin"], ["c2"], ["pwd"], True, False),
    ],
)
def test_step_up_decisions(
    path: str, roles: list[str], acrs: list[str], amr: list[str], allowed: bool, step_up: bool
) -> None:
    decision = STEP_UP_POLICY.decide(path, roles, [], acrs=acrs, amr=amr)
    assert (decision.allowed, decision.step_up) == (allowed, step_up)
