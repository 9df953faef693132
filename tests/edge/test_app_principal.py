"""The app's signed principal: a JWT nginx takes from the session check alone, verified by
demo-app against the JWKS auth-service publishes through nginx, and rotation of its keys."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import jwt
import pytest
import requests
from auth_service.app_principal import development_signing_key
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from native_stack.stack import NativeStack, StackOptions
from tests.edge.edge_support import plain_client
from tests.edge.stand_ins import HeaderProbe
from tests.support.browser import Browser
from tests.support.session_check_cache import REVOCATION_DELAY_SECONDS, ask_until
from tests.support.sign_in import sign_in_through

JSON = {"Accept": "application/json"}
HEADER = "X-Client-Principal-JWT"


def principal_sent(seen: dict[str, Any]) -> str:
    """The signed principal among the headers demo-app received (names in any case)."""
    by_name = {name.lower(): value for name, value in seen["headers"].items()}
    token: str = by_name[HEADER.lower()]
    return token


def jwks_through_nginx(stack: NativeStack) -> dict[str, Any]:
    with plain_client() as client:
        answer = client.get(stack.public_url + "/.well-known/jwks.json", timeout=10)
    assert answer.status_code == 200, answer.text[:300]
    keys: dict[str, Any] = answer.json()
    return keys


def verify_with(jwks: dict[str, Any], token: str, stack: NativeStack) -> dict[str, Any]:
    """Verify token as any app would, with the key its kid names in jwks."""
    keys = {jwk["kid"]: jwt.PyJWK(jwk) for jwk in jwks["keys"]}
    claims: dict[str, Any] = jwt.decode(
        token,
        keys[jwt.get_unverified_header(token)["kid"]],
        algorithms=["ES256"],
        audience=stack.public_url + "/app/",
        issuer=stack.public_url,
        options={"require": ["exp", "iat", "nbf", "sub"]},
    )
    return claims


def app_directly(stack: NativeStack, token: str | None) -> requests.Response:
    """Ask demo-app on its own port, around nginx, with a principal of the test's making."""
    headers = {**JSON, **({HEADER: token} if token is not None else {})}
    with plain_client() as client:
        return client.get(
            f"http://127.0.0.1:{stack.demo_app_port}/app/", headers=headers, timeout=10
        )


def pem_of(key: ec.EllipticCurvePrivateKey) -> str:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


def test_the_app_gets_a_principal_that_verifies_against_the_jwks(
    edge_stack: NativeStack, signed_in_browser: Browser
) -> None:
    seen = signed_in_browser.get(edge_stack.public_url + "/app/", headers=JSON).json()
    token = principal_sent(seen)
    claims = verify_with(jwks_through_nginx(edge_stack), token, edge_stack)
    assert claims["oid"] == seen["headers"]["X-User-Id"] and claims["sub"] == claims["oid"]
    assert claims["tid"] == seen["headers"]["X-User-Tenant"]
    assert claims["preferred_username"] == seen["headers"]["X-User-Email"]
    assert 0 < claims["exp"] - claims["iat"] <= 300
    check = seen["principal"]
    assert check["verified"] and check["kid"] == jwt.get_unverified_header(token)["kid"]
    assert check["checks"] == {
        "algorithm": True, "kid": True, "signature": True, "issuer": True,
        "audience": True, "expiry": True, "not_before": True,
    }  # fmt: skip
    page = signed_in_browser.get(edge_stack.public_url + "/app/")
    assert "Signed principal: verified" in page.text and check["kid"] in page.text


def test_a_client_sent_principal_never_reaches_the_app_or_graph(
    edge_stack: NativeStack, signed_in_browser: Browser, header_probe: HeaderProbe
) -> None:
    forged = jwt.encode(
        {"sub": "victim", "aud": edge_stack.public_url + "/app/"},
        ec.generate_private_key(ec.SECP256R1()),
        algorithm="ES256",
        headers={"kid": development_signing_key().kid},
    )
    seen = signed_in_browser.get(
        edge_stack.public_url + "/app/", headers={**JSON, HEADER: forged}
    ).json()
    assert principal_sent(seen) != forged and seen["principal"]["verified"]
    signed_in_browser.get(edge_stack.public_url + "/graph/me", headers={HEADER: forged})
    received = {name.lower() for name in header_probe.received[-1]}
    assert HEADER.lower() not in received
    with plain_client() as client:
        signed_out = client.get(
            edge_stack.public_url + "/app/", headers={**JSON, HEADER: forged}, timeout=10
        )
    assert signed_out.status_code == 401  # nginx's sign-in answer; the app was never asked
    assert signed_out.json()["error"]["code"] == "unauthenticated"


def genuine_claims(stack: NativeStack, **changes: Any) -> dict[str, Any]:
    now = int(time.time())
    claims = {
        "iss": stack.public_url, "aud": stack.public_url + "/app/", "sub": "oid-1",
        "oid": "oid-1", "iat": now, "nbf": now, "exp": now + 300,
    }  # fmt: skip
    return {**claims, **changes}


def signed(claims: dict[str, Any], key: ec.EllipticCurvePrivateKey | None = None) -> str:
    dev = development_signing_key()
    return jwt.encode(claims, key or dev.private_key, algorithm="ES256", headers={"kid": dev.kid})


@pytest.mark.parametrize(
    ("make_token", "reason"),
    [
        (lambda stack: None, "no X-Client-Principal-JWT header"),
        (lambda stack: "not-a-jwt", "not a JWT"),
        (
            lambda stack: signed(genuine_claims(stack), ec.generate_private_key(ec.SECP256R1())),
            "signature does not verify",
        ),
        (lambda stack: signed(genuine_claims(stack, exp=int(time.time()) - 60)), "expired"),
        (
            lambda stack: signed(genuine_claims(stack, aud="https://other.example/")),
            "wrong audience",
        ),
        (lambda stack: signed(genuine_claims(stack, iss="https://evil.example")), "wrong issuer"),
        (
            lambda stack: jwt.encode(
                genuine_claims(stack),
                "k" * 32,
                algorithm="HS256",
                headers={"kid": development_signing_key().kid},
            ),
            "algorithm not allowed",
        ),
    ],
    ids=["missing", "garbage", "forged", "expired", "wrong-audience", "wrong-issuer", "hs256"],
)
def test_the_demo_app_refuses_a_principal_that_does_not_verify(
    edge_stack: NativeStack, make_token: Any, reason: str
) -> None:
    answer = app_directly(edge_stack, make_token(edge_stack))
    assert answer.status_code == 401, answer.text[:300]
    error = answer.json()["error"]
    assert error["code"] == "principal_refused" and error["principal"]["reason"] == reason
    assert not error["principal"]["verified"]
    token = make_token(edge_stack)
    with plain_client() as client:
        page = client.get(
            f"http://127.0.0.1:{edge_stack.demo_app_port}/app/",
            headers={HEADER: token} if token else {},
            timeout=10,
        )
    assert page.status_code == 401 and "Signed principal refused" in page.text


@pytest.fixture
def rotation_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[NativeStack]:
    """A stack of its own, demo-app included, signing with a key of its own; demo-app may
    refetch the JWKS for a new kid at once (no cooldown), so no test waits."""
    options = StackOptions(
        run_dir=tmp_path_factory.mktemp("principal-rotation"),
        auth_workers=1,
        graph_workers=1,
        demo_app=True,
        service_env={"APP_PRINCIPAL_SIGNING_KEYS": pem_of(ec.generate_private_key(ec.SECP256R1()))},
        demo_app_env={"PRINCIPAL_JWKS_COOLDOWN_SECONDS": "0"},
    )
    with NativeStack(options) as stack:
        yield stack


def test_rotating_the_key_keeps_sessions_working_and_old_principals_verifying(
    rotation_stack: NativeStack, browser: Browser
) -> None:
    stack = rotation_stack
    assert stack.registration is not None
    sign_in_through(browser, stack.public_url, stack.registration.usernames[0])
    before = browser.get(stack.public_url + "/app/", headers=JSON).json()
    old_token, old_kid = principal_sent(before), before["principal"]["kid"]

    old_pem = stack.options.service_env["APP_PRINCIPAL_SIGNING_KEYS"]
    new_pem = pem_of(ec.generate_private_key(ec.SECP256R1()))
    stack.options.service_env["APP_PRINCIPAL_SIGNING_KEYS"] = new_pem + old_pem
    stack.start_service("auth-service")

    # nginx may answer with the check it kept from before the restart for a moment
    # (docs/edge.md): that principal, signed with the old key, still verifies.
    asked = ask_until(
        lambda: browser.get(stack.public_url + "/app/", headers=JSON),
        lambda after: after.status_code == 200 and after.json()["principal"]["kid"] != old_kid,
        within=REVOCATION_DELAY_SECONDS,
    )
    for after in asked.answers:
        assert after.status_code == 200, after.text[:300]
        assert after.json()["principal"]["verified"]
    new_kid = asked.answers[-1].json()["principal"]["kid"]
    assert new_kid != old_kid
    jwks = jwks_through_nginx(stack)
    assert [jwk["kid"] for jwk in jwks["keys"]] == [new_kid, old_kid]
    assert verify_with(jwks, old_token, stack)["oid"] == before["headers"]["X-User-Id"]
    still = app_directly(stack, old_token)
    assert still.status_code == 200 and still.json()["principal"]["kid"] == old_kid
