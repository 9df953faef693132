"""API clients through the whole stack: bearer tokens for our API, checked at the edge, and
/graph/ through on-behalf-of (README, "API clients (bearer tokens)")."""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Iterator
from typing import Any

import jwt
import pytest
import requests
from cryptography.hazmat.primitives.asymmetric import rsa

from native_stack.emulator_registration import read_seeded_registration
from native_stack.stack import NativeStack, StackOptions
from tests.support.api_clients import (
    ApiClient,
    api_client,
    claims_of,
    forge_token,
    seconds_ago,
)
from tests.support.emulator_control import EmulatorControl
from tests.support.sign_in import signed_in_as

JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer"
JSON = {"Accept": "application/json"}
AVERY = "avery.chen@contoso.example"
# The emulator's second tenant (emulator/README.md), not on the stack's tenant allowlist.
NORTHWIND_TENANT = "7a3b9c1d-2e4f-4a6b-8c0d-1e2f3a4b5c6d"
RILEY = "riley.novak@northwind.example"
KEYS_REFRESH_SECONDS = 3
ROUTE_POLICY = {"routes": [{"path": "/app/admin/", "roles": {"any_of": ["Admin"]}}]}
SEEDED_CONSENT = "openid profile offline_access email User.Read User.ReadBasic.All"


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[NativeStack]:
    """A multi-tenant (`organizations`) stack allowing the seeded tenant only, with demo-app."""
    running = NativeStack(
        StackOptions(
            run_dir=tmp_path_factory.mktemp("bearer-stack"),
            graph_workers=1,
            demo_app=True,
            authority_tenant="organizations",
            service_env={
                "ALLOWED_TENANTS": read_seeded_registration().tenant_id,
                "API_KEYS_REFRESH_SECONDS": str(KEYS_REFRESH_SECONDS),
                "APP_ROUTE_POLICY": json.dumps(ROUTE_POLICY),
            },
        )
    )
    running.start()
    yield running
    running.stop()


@pytest.fixture(scope="module")
def client(stack: NativeStack) -> Iterator[ApiClient]:
    """The seeded API client (a CLI or daemon) against the stack's emulator."""
    built = api_client(stack)
    yield built
    built.http.close()


@pytest.fixture(scope="module")
def avery_token(client: ApiClient) -> str:
    """Avery's access token for our API (api://<client id>/access_as_user)."""
    return str(client.user_token(AVERY)["access_token"])


def call(stack: NativeStack, path: str, token: str, **headers: str) -> requests.Response:
    """GET path through nginx with Authorization: Bearer token, and no cookies."""
    with requests.Session() as http:
        http.trust_env = False
        return http.get(
            stack.public_url + path,
            headers={"Authorization": f"Bearer {token}", **JSON, **headers},
            timeout=15,
            allow_redirects=False,
        )


def challenge(answer: requests.Response) -> str:
    """The answer's single WWW-Authenticate value."""
    values = answer.raw.headers.getlist("WWW-Authenticate")
    assert len(values) == 1, values
    return str(values[0])


def obo_requests(control: EmulatorControl) -> int:
    """On-behalf-of token requests the emulator has received."""
    return int(control.counts()["token_by_grant_type"].get(JWT_BEARER, 0))


def test_a_users_token_reads_graph_me_through_on_behalf_of_and_caches_it(
    stack: NativeStack, avery_token: str
) -> None:
    with EmulatorControl(stack) as control:
        before = obo_requests(control)
        first = call(stack, "/graph/me", avery_token)
        assert first.status_code == 200, first.text
        assert first.json()["userPrincipalName"] == AVERY
        assert obo_requests(control) == before + 1
        second = call(stack, "/graph/me", avery_token)
        assert second.status_code == 200, second.text
        assert obo_requests(control) == before + 1  # the cached Graph token, no token request
    with stack.redis_client(admin=True) as redis:
        keys = list(redis.scan_iter("signin:{user:*}:obo:*"))
        assert len(keys) == 1
        sealed = redis.get(keys[0])
    assert sealed is not None and b"eyJ" not in sealed  # the token is sealed, not stored plain


def test_an_expired_cached_token_means_on_behalf_of_again(
    stack: NativeStack, avery_token: str
) -> None:
    assert call(stack, "/graph/me", avery_token).status_code == 200
    with stack.redis_client(admin=True) as redis:
        for key in redis.scan_iter("signin:{user:*}:obo:*"):
            redis.delete(key)  # what the store's expiry does when the token's time is up
    with EmulatorControl(stack) as control:
        before = obo_requests(control)
        assert call(stack, "/graph/me", avery_token).status_code == 200
        assert obo_requests(control) == before + 1


def test_a_users_token_reaches_the_app_as_that_user(stack: NativeStack, avery_token: str) -> None:
    answer = call(stack, "/app/", avery_token)
    assert answer.status_code == 200, answer.text
    seen = answer.json()
    assert seen["user"]["email"] == AVERY
    assert seen["headers"]["X-User-Roles"] == "Reader"  # Avery's group holds Reader
    assert seen["principal"]["verified"] is True
    assert "Set-Cookie" not in answer.headers  # no session is made for an API client


def test_the_route_policy_applies_to_a_bearer_tokens_roles(
    stack: NativeStack, client: ApiClient, avery_token: str
) -> None:
    refused = call(stack, "/app/admin/", avery_token)  # Avery holds Reader, not Admin
    assert refused.status_code == 403, refused.text
    assert refused.json()["error"]["code"] == "forbidden"
    sam = str(client.user_token("sam.rivera@contoso.example")["access_token"])
    assert claims_of(sam)["roles"] == ["Admin"]
    assert call(stack, "/app/admin/", sam).status_code == 200


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"aud": "api://someone-else"}, "another audience"),
        ({"iss": "https://login.example.net/5f1e8c2a-3d4b-4e6f-9a7b-0c1d2e3f4a5b/v2.0"}, "issuer"),
        ({"exp": seconds_ago(120), "nbf": seconds_ago(3600), "iat": seconds_ago(3600)}, "expired"),
        ({"nbf": seconds_ago(-600)}, "not valid yet"),
        ({"oid": None}, "no oid claim"),
    ],
)
def test_a_token_that_fails_a_check_gets_401_with_the_reason(
    stack: NativeStack, avery_token: str, change: dict[str, Any], reason: str
) -> None:
    forged = forge_token(stack, claims_of(avery_token), **change)
    for path in ("/graph/me", "/app/"):
        answer = call(stack, path, forged)
        assert answer.status_code == 401, (path, answer.text)
        value = challenge(answer)
        assert value.startswith('Bearer error="invalid_token"'), value
        assert reason in value, value
        assert answer.json()["error"]["code"] == "invalid_token"


def test_a_token_just_past_its_expiry_is_within_the_leeway(
    stack: NativeStack, avery_token: str
) -> None:
    forged = forge_token(stack, claims_of(avery_token), exp=seconds_ago(20))
    assert call(stack, "/app/", forged).status_code == 200


def test_a_token_of_a_tenant_not_allowed_gets_401(stack: NativeStack) -> None:
    northwind = api_client(stack, tenant="organizations")
    try:
        token = str(northwind.user_token(RILEY)["access_token"])
    finally:
        northwind.http.close()
    assert claims_of(token)["tid"] == NORTHWIND_TENANT
    answer = call(stack, "/graph/me", token)
    assert answer.status_code == 401
    assert "tenant is not allowed" in challenge(answer)


def test_a_token_signed_with_another_key_gets_401(stack: NativeStack, avery_token: str) -> None:
    header = jwt.get_unverified_header(avery_token)
    other_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    same_kid = jwt.encode(claims_of(avery_token), other_key, algorithm="RS256", headers=header)
    answer = call(stack, "/graph/me", same_kid)
    assert answer.status_code == 401
    assert "signature is invalid" in challenge(answer)
    unknown_kid = jwt.encode(claims_of(avery_token), other_key, "RS256", headers={"kid": "nope"})
    assert "does not publish" in challenge(call(stack, "/graph/me", unknown_kid))


def test_a_graph_token_is_for_another_audience(stack: NativeStack, client: ApiClient) -> None:
    graph_token = client.app_token("https://graph.microsoft.com")
    answer = call(stack, "/app/", graph_token)
    assert answer.status_code == 401
    assert "another audience" in challenge(answer)


def test_a_token_without_the_scope_gets_403_insufficient_scope(
    stack: NativeStack, avery_token: str
) -> None:
    forged = forge_token(stack, claims_of(avery_token), scp="something_else")
    for path in ("/graph/me", "/app/"):
        answer = call(stack, path, forged)
        assert answer.status_code == 403, (path, answer.text)
        value = challenge(answer)
        assert value.startswith('Bearer error="insufficient_scope"'), value
        assert 'scope="access_as_user"' in value
        assert answer.json()["error"]["code"] == "forbidden"


def test_a_malformed_bearer_header_never_falls_back_to_the_session(stack: NativeStack) -> None:
    with signed_in_as(stack.public_url, AVERY) as browser:
        assert browser.get(stack.public_url + "/graph/me", headers=JSON).status_code == 200
        for value in ("Bearer not a token", "Bearer " + "a" * 9000, "bearer"):
            answer = browser.http.get(
                stack.public_url + "/graph/me",
                headers={"Authorization": value, **JSON},
                timeout=15,
            )
            assert answer.status_code == 401, (value[:20], answer.text)
            assert 'error="invalid_request"' in challenge(answer)


def test_an_app_only_token_reaches_the_app_with_its_roles_but_not_graph(
    stack: NativeStack, client: ApiClient
) -> None:
    assert stack.registration is not None
    token = client.app_token(f"api://{stack.registration.client_id}")
    assert claims_of(token)["idtyp"] == "app"
    app = call(stack, "/app/", token)
    assert app.status_code == 200, app.text
    seen = app.json()
    assert seen["headers"]["X-User-Roles"] == "Reader"
    principal = json.loads(base64.b64decode(seen["headers"]["X-Client-Principal"]))
    claims = {claim["typ"]: claim["val"] for claim in principal["claims"]}
    assert claims["idtyp"] == "app" and claims["azp"] == client.app.client_id
    graph = call(stack, "/graph/me", token)
    assert graph.status_code == 403, graph.text
    assert graph.json()["error"]["code"] == "app_only_token"


def forget_graph_tokens(stack: NativeStack) -> None:
    """Drop every cached on-behalf-of Graph token, so that the next call asks again."""
    with stack.redis_client(admin=True) as redis:
        for key in redis.scan_iter("signin:{user:*}:obo:*"):
            redis.delete(key)


# These two use a token of their own: MSAL keeps a refused on-behalf-of answer for its
# assertion a while (its throttling of invalid_grant), which other tests' token must not meet.


def test_consent_missing_for_graph_is_a_clear_403(stack: NativeStack, client: ApiClient) -> None:
    assert stack.registration is not None
    app_id = stack.registration.client_id
    token = str(client.user_token(AVERY)["access_token"])
    forget_graph_tokens(stack)
    with EmulatorControl(stack) as control:
        control.revoke_consent(app_id)
        try:
            answer = call(stack, "/graph/me", token)
        finally:
            control.grant_consent(app_id, "AllPrincipals", SEEDED_CONSENT)
    assert answer.status_code == 403, answer.text
    error = answer.json()["error"]
    assert error["code"] == "consent_required"
    assert "consent" in error["message"]


def test_the_identity_platform_down_is_a_503_to_retry(
    stack: NativeStack, client: ApiClient
) -> None:
    token = str(client.user_token(AVERY)["access_token"])
    forget_graph_tokens(stack)
    with EmulatorControl(stack) as control:
        control.add_fault(type="unavailable", endpoints=["token"], count=5)
        answer = call(stack, "/graph/me", token)
    assert answer.status_code == 503, answer.text
    assert answer.json()["error"]["code"] == "identity_platform_unavailable"
    assert answer.headers["Retry-After"]


def test_a_new_signing_key_is_fetched_on_its_first_token_at_most_once_a_refresh_interval(
    stack: NativeStack, client: ApiClient, avery_token: str
) -> None:
    with EmulatorControl(stack) as control:
        assert call(stack, "/app/", avery_token).status_code == 200
        time.sleep(KEYS_REFRESH_SECONDS)  # the keys were fetched a refresh interval ago or more
        control.rotate_keys()
        control.reset_counters()
        fresh = str(client.user_token(AVERY)["access_token"])
        assert (
            jwt.get_unverified_header(fresh)["kid"] != jwt.get_unverified_header(avery_token)["kid"]
        )
        assert call(stack, "/app/", fresh).status_code == 200  # its key fetched at once
        assert control.counts()["jwks"] >= 1
        # Each auth-service process keeps its own keys: each fetches at most once an interval.
        processes = stack.options.auth_workers * stack.options.auth_service_processes
        made_up = [forge_token(stack, claims_of(fresh)) for _ in range(3 * processes)]
        for index, token in enumerate(made_up):
            head, body, signature = token.split(".")
            header = json.dumps({"alg": "RS256", "kid": f"made-up-{index}"}).encode()
            forged = base64.urlsafe_b64encode(header).rstrip(b"=").decode() + f".{body}.{signature}"
            assert "does not publish" in challenge(call(stack, "/app/", forged))
        assert control.counts()["jwks"] <= processes  # not once per made-up kid
        assert call(stack, "/app/", avery_token).status_code == 200  # the retired key's token
