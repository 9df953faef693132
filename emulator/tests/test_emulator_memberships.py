"""App roles, groups in ID tokens, group overage, Graph membership routes, a second tenant."""

from __future__ import annotations

import jwt
import pytest
from emulator_support import (
    AVERY,
    CLIENT_ID,
    JORDAN,
    SAM,
    TENANT_ID,
    app_token,
    authorize_url,
    code_for,
    graph_get,
    parse_page,
    query_of,
    redeem,
    user_token,
)
from emulator_support import msal_sign_in as sign_in

CASEY = "casey.brooks@contoso.example"
CASEY_ID = "5b3f2c6d-7e80-4fa1-92bd-6e7f8091a2b3"
RILEY = "riley.novak@northwind.example"
NORTHWIND_ID = "7a3b9c1d-2e4f-4a6b-8c0d-1e2f3a4b5c6d"
ENGINEERING = "c1a2b3d4-5e6f-4a7b-8c9d-0e1f2a3b4c5d"
IT_ADMINS = "d2b3c4e5-6f70-4b8c-9dae-1f2a3b4c5d6e"
NEWSLETTER = "e3c4d5f6-7081-4c9d-aebf-2a3b4c5d6e7f"


def id_claims(emulator, browser, username):
    """The unverified claims of username's ID token for the seeded app."""
    code, verifier = code_for(emulator, browser, username)
    status, body = redeem(emulator, code, verifier)
    assert status == 200, body
    return jwt.decode(body["id_token"], options={"verify_signature": False})


def grant_membership_scope(emulator):
    """Tenant-wide consent to GroupMember.Read.All for the seeded app."""
    emulator.control(
        "POST", "consents", json={"client_id": CLIENT_ID, "scopes": "GroupMember.Read.All"}
    )


def picked_account_page(emulator, browser, tenant, username):
    """Submit username on the account picker of tenant's authority; return (status, page)."""
    _, _, picker = browser.fetch("GET", authorize_url(emulator, tenant=tenant))
    form = parse_page(picker).forms[0]
    action = f"{emulator.url}/{tenant}/oauth2/v2.0/{form['action']}"
    status, _, page = browser.fetch("POST", action, {**form["hidden"], "username": username})
    return status, picker, page


def graph_post(emulator, path, token, body):
    """POST JSON to a Graph path (relative to /v1.0)."""
    headers = {"Authorization": f"Bearer {token}"}
    with emulator.http.post(
        f"{emulator.url}/v1.0{path}", headers=headers, json=body, timeout=10
    ) as response:
        return response.status_code, response.json()


@pytest.mark.parametrize(
    ("username", "roles", "groups"),
    [
        (SAM, ["Admin"], [IT_ADMINS]),  # assigned directly
        (JORDAN, ["Reader"], [ENGINEERING]),  # through the Engineering group
        (AVERY, ["Reader"], [ENGINEERING]),  # the mail-only group is not a security group
        ("taylor.okafor@contoso.example", None, None),
    ],
)
def test_seeded_roles_and_groups_reach_the_id_token(emulator, browser, username, roles, groups):
    claims = id_claims(emulator, browser, username)
    assert claims.get("roles") == roles and claims.get("groups") == groups, claims


def test_roles_and_groups_set_through_control(emulator, browser):
    taylor = "taylor.okafor@contoso.example"
    added = emulator.control(
        "POST", "groups", json={"displayName": "Designers", "members": [taylor]}
    )["value"][0]
    assert added["members"] == [taylor]
    emulator.control(
        "POST",
        "app-role-assignments",
        json={"client_id": CLIENT_ID, "role": "Admin", "principal": added["id"]},
    )
    claims = id_claims(emulator, browser, taylor)
    assert claims["roles"] == ["Admin"] and claims["groups"] == [added["id"]]
    emulator.control("POST", f"groups/{added['id']}/members", json={"remove": [taylor]})
    assert "roles" not in id_claims(emulator, browser, taylor)


def test_group_claims_follow_the_registration_setting(emulator, browser):
    emulator.control(
        "POST", "apps", json={"client_id": CLIENT_ID, "group_membership_claims": "All"}
    )
    assert id_claims(emulator, browser, AVERY)["groups"] == [ENGINEERING, NEWSLETTER]
    emulator.control(
        "POST", "apps", json={"client_id": CLIENT_ID, "group_membership_claims": "None"}
    )
    claims = id_claims(emulator, browser, AVERY)
    assert "groups" not in claims and claims["roles"] == ["Reader"]


@pytest.mark.parametrize(
    ("path", "body", "message"),
    [
        ("groups", {"displayName": "X", "members": ["nobody@contoso.example"]}, "no user"),
        ("groups", {"members": []}, "displayName is required"),
        (
            "app-role-assignments",
            {"client_id": CLIENT_ID, "role": "Owner", "principal": SAM},
            "no app role Owner",
        ),
        (
            "app-role-assignments",
            {"client_id": CLIENT_ID, "role": "Admin", "principal": "x"},
            "no user or group x",
        ),
        ("apps", {"client_id": CLIENT_ID, "group_membership_claims": "Some"}, "must be one of"),
        ("tenants", {"id": "not-a-guid", "domain": "x.example"}, "hexadecimal"),
    ],
)
def test_bad_membership_control_input_is_400(emulator, path, body, message):
    with emulator.http.post(f"{emulator.url}/_control/{path}", json=body, timeout=10) as answer:
        assert answer.status_code == 400 and message in answer.json()["error"], answer.text


def test_past_200_groups_the_id_token_carries_the_overage_form(emulator, browser):
    claims = id_claims(emulator, browser, CASEY)
    assert "groups" not in claims and claims["roles"] == ["Reader"]
    assert claims["_claim_names"] == {"groups": "src1"}
    endpoint = f"https://graph.microsoft.com/v1.0/users/{CASEY_ID}/getMemberObjects"
    assert claims["_claim_sources"] == {"src1": {"endpoint": endpoint}}


def test_get_member_objects_answers_every_group_of_the_token_user(emulator, make_browser):
    grant_membership_scope(emulator)
    token = user_token(emulator, make_browser(emulator), CASEY)
    status, body = graph_post(
        emulator, "/me/getMemberObjects", token, {"securityEnabledOnly": True}
    )
    assert status == 200 and len(body["value"]) == 211 and ENGINEERING in body["value"]
    token = user_token(emulator, make_browser(emulator), AVERY)
    _, every = graph_post(emulator, "/me/getMemberObjects", token, {"securityEnabledOnly": False})
    assert sorted(every["value"]) == sorted([ENGINEERING, NEWSLETTER])
    status, error = graph_post(emulator, "/me/getMemberObjects", token, {})
    assert status == 400 and error["error"]["code"] == "Request_BadRequest"


def test_transitive_member_of_pages_with_next_links(emulator, browser):
    grant_membership_scope(emulator)
    token = user_token(emulator, browser, CASEY)
    seen, url = [], "/me/transitiveMemberOf"
    while url:
        body = graph_get(emulator, url, token).json()
        seen += [group["id"] for group in body["value"]]
        assert all(g["@odata.type"] == "#microsoft.graph.group" for g in body["value"])
        url = body.get("@odata.nextLink", "")
    assert len(seen) == len(set(seen)) == 211
    small = graph_get(emulator, "/me/transitiveMemberOf?$top=1", token).json()
    assert len(small["value"]) == 1
    assert query_of(small["@odata.nextLink"])["$top"] == "1"
    unsupported = graph_get(emulator, "/me/transitiveMemberOf?$select=id", token)
    assert unsupported.status_code == 400
    assert unsupported.json()["error"]["code"] == "Request_UnsupportedQuery"


def test_membership_routes_need_a_membership_scope(emulator, browser):
    token = user_token(emulator, browser, AVERY)
    answer = graph_get(emulator, "/me/transitiveMemberOf", token)
    assert answer.status_code == 403
    assert answer.json()["error"]["code"] == "Authorization_RequestDenied"
    status, body = graph_post(
        emulator, "/me/getMemberObjects", token, {"securityEnabledOnly": True}
    )
    assert status == 403 and body["error"]["code"] == "Authorization_RequestDenied"


def test_a_user_of_the_second_tenant_signs_in_through_common(emulator, browser, make_msal_app):
    app = make_msal_app(authority=f"{emulator.url}/organizations")
    result = sign_in(app, browser, RILEY)
    claims = result["id_token_claims"]
    assert claims["tid"] == NORTHWIND_ID and claims["iss"] == f"{emulator.url}/{NORTHWIND_ID}/v2.0"
    assert claims["roles"] == ["Reader"] and claims["groups"] == [
        "f4d5e6a7-8192-4dae-bfc0-3b4c5d6e7f80"
    ]
    access = jwt.decode(result["access_token"], options={"verify_signature": False})
    assert (
        access["tid"] == NORTHWIND_ID
        and access["iss"] == f"https://sts.windows.net/{NORTHWIND_ID}/"
    )
    me = graph_get(emulator, "/me", result["access_token"])
    assert me.status_code == 200 and me.json()["userPrincipalName"] == RILEY


def test_the_first_tenant_authority_refuses_second_tenant_users(emulator, browser):
    status, picker, page = picked_account_page(emulator, browser, TENANT_ID, RILEY)
    assert RILEY not in picker and AVERY in picker
    assert status == 400 and "AADSTS50020" in page


def test_common_lists_both_tenants_and_a_single_tenant_app_refuses_the_other(
    emulator, make_browser
):
    status, picker, _ = picked_account_page(emulator, make_browser(emulator), "common", AVERY)
    assert RILEY in picker and AVERY in picker and status in (200, 302, 303)
    emulator.control(
        "POST", "apps", json={"client_id": CLIENT_ID, "sign_in_audience": "AzureADMyOrg"}
    )
    status, _, page = picked_account_page(emulator, make_browser(emulator), "common", RILEY)
    assert status == 400 and "AADSTS50020" in page


def test_tenants_added_through_control_sign_in(emulator, browser, make_msal_app):
    tenant_id = "8b4c0d2e-3f5a-4b7c-9d1e-2f3a4b5c6d7e"
    emulator.control("POST", "tenants", json={"id": tenant_id, "domain": "tailspin.example"})
    emulator.control(
        "POST", "users", json={"userPrincipalName": "drew@tailspin.example", "tenant_id": tenant_id}
    )
    result = sign_in(
        make_msal_app(authority=f"{emulator.url}/common"), browser, "drew@tailspin.example"
    )
    assert result["id_token_claims"]["tid"] == tenant_id, result


def test_the_overage_endpoint_answers_on_the_emulators_graph(emulator, browser):
    grant_membership_scope(emulator)
    code, verifier = code_for(emulator, browser, CASEY)
    _, tokens = redeem(emulator, code, verifier)
    claims = jwt.decode(tokens["id_token"], options={"verify_signature": False})
    endpoint = claims["_claim_sources"]["src1"]["endpoint"]
    path = endpoint.removeprefix("https://graph.microsoft.com/v1.0")
    token, flag = tokens["access_token"], {"securityEnabledOnly": True}
    status, body = graph_post(emulator, path, token, flag)
    assert status == 200 and len(body["value"]) == 211
    other_tenant = "/users/6c4a3d7e-8f91-4ab2-83ce-7f8091a2b3c4/getMemberObjects"
    status, body = graph_post(emulator, other_tenant, token, flag)
    assert status == 404 and body["error"]["code"] == "Request_ResourceNotFound"
    status, body = graph_post(emulator, path, app_token(emulator), flag)
    assert status == 403 and body["error"]["code"] == "Authorization_RequestDenied"
