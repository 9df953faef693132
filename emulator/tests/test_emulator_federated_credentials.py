"""Federated identity credentials: an app trusts an external issuer's tokens as assertions."""

from __future__ import annotations

import json
import time
import uuid

import jwt
import pytest
import requests
from cryptography.hazmat.primitives.asymmetric import rsa
from emulator_support import TENANT_ID, graph_get

FEDERATED_APP_ID = "f3d3f3d3-2222-4333-8444-555566667777"
ISSUER = "https://oidc.cluster.example/5f1e8c2a"
SUBJECT = "system:serviceaccount:signin-stack:signin-stack"
AUDIENCE = "api://AzureADTokenExchange"
GRAPH_DEFAULT = ["https://graph.microsoft.com/.default"]


def new_issuer_key(kid: str) -> tuple[rsa.RSAPrivateKey, dict[str, str]]:
    """An issuer's signing key and its public JWK."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key()))
    return key, {**jwk, "kid": kid, "use": "sig", "alg": "RS256"}


@pytest.fixture(scope="module")
def issuer_keys() -> list[tuple[rsa.RSAPrivateKey, dict[str, str]]]:
    """Two signing keys of the external issuer."""
    return [new_issuer_key("issuer-key-1"), new_issuer_key("issuer-key-2")]


def external_token(
    key: rsa.RSAPrivateKey,
    kid: str,
    *,
    issuer: str = ISSUER,
    subject: str = SUBJECT,
    audience: str = AUDIENCE,
    lifetime: int = 3600,
) -> str:
    """A token as the external issuer (e.g. a Kubernetes service-account token) makes it."""
    now = int(time.time())
    claims = {
        "iss": issuer,
        "sub": subject,
        "aud": [audience],
        "iat": now,
        "nbf": now,
        "exp": now + lifetime,
        "jti": str(uuid.uuid4()),
    }
    return jwt.encode(claims, key, algorithm="RS256", headers={"kid": kid})


@pytest.fixture
def federated_app(emulator, issuer_keys):
    """An app whose only credential trusts ISSUER's first key for SUBJECT and AUDIENCE."""
    return emulator.control(
        "POST",
        "apps",
        json={
            "client_id": FEDERATED_APP_ID,
            "display_name": "Workload with a federated credential",
            "application_permissions": ["User.Read.All"],
            "federated_credentials": [
                {
                    "name": "kubernetes",
                    "issuer": ISSUER,
                    "subject": SUBJECT,
                    "audiences": [AUDIENCE],
                    "jwks": {"keys": [issuer_keys[0][1]]},
                }
            ],
        },
    )


def test_registered_app_lists_its_federated_credential_without_keys(federated_app):
    (credential,) = federated_app["federated_credentials"]
    assert credential == {
        "name": "kubernetes",
        "issuer": ISSUER,
        "subject": SUBJECT,
        "audiences": [AUDIENCE],
    }


def test_external_token_is_accepted_as_client_assertion(
    emulator, make_msal_app, federated_app, issuer_keys
):
    key, jwk = issuer_keys[0]
    app = make_msal_app(
        client_id=FEDERATED_APP_ID,
        client_credential={"client_assertion": lambda: external_token(key, jwk["kid"])},
    )
    result = app.acquire_token_for_client(GRAPH_DEFAULT)
    assert "access_token" in result, result
    claims = jwt.decode(result["access_token"], options={"verify_signature": False})
    assert claims["appid"] == FEDERATED_APP_ID and claims["appidacr"] == "2"
    assert claims["tid"] == TENANT_ID
    assert graph_get(emulator, "/users", result["access_token"]).status_code == 200


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"issuer": "https://other-issuer.example"}, 700211),
        ({"subject": "system:serviceaccount:other:other"}, 700213),
        ({"audience": "api://other-audience"}, 700212),
        ({"lifetime": -600}, 700024),
        ({"signed_by_unregistered_key": True}, 700027),
    ],
    ids=["issuer", "subject", "audience", "expired", "signature"],
)
def test_mismatched_external_token_is_refused(
    make_msal_app, federated_app, issuer_keys, changes, code
):
    key, jwk = (
        issuer_keys[1] if changes.pop("signed_by_unregistered_key", False) else issuer_keys[0]
    )
    token = external_token(key, jwk["kid"], **changes)
    app = make_msal_app(
        client_id=FEDERATED_APP_ID, client_credential={"client_assertion": lambda: token}
    )
    result = app.acquire_token_for_client(GRAPH_DEFAULT)
    assert result.get("error") == "invalid_client", result
    assert code in result["error_codes"], result


def test_a_federated_only_app_is_not_a_public_client(emulator, federated_app):
    form = {"client_id": FEDERATED_APP_ID, "grant_type": "client_credentials"}
    with requests.Session() as http:
        http.trust_env = False
        answer = http.post(
            f"{emulator.url}/{TENANT_ID}/oauth2/v2.0/token",
            data={**form, "scope": GRAPH_DEFAULT[0]},
            verify=str(emulator.ca_path),
            timeout=10,
        )
    assert answer.status_code == 401 and 7000218 in answer.json()["error_codes"]


@pytest.mark.parametrize(
    "credential",
    [
        {"name": "x", "issuer": ISSUER, "subject": SUBJECT},
        {"name": "x", "issuer": ISSUER, "subject": SUBJECT, "jwks": {"keys": []}},
        {"name": "x", "issuer": "", "subject": SUBJECT, "jwks": {"keys": []}},
        {"name": "x", "issuer": ISSUER, "subject": SUBJECT, "audiences": ["a", "b"]},
    ],
    ids=["no-jwks", "empty-jwks", "no-issuer", "two-audiences"],
)
def test_control_api_refuses_an_incomplete_federated_credential(emulator, credential):
    with pytest.raises(requests.HTTPError) as raised:
        emulator.control(
            "POST",
            "apps",
            json={"client_id": FEDERATED_APP_ID, "federated_credentials": [credential]},
        )
    assert raised.value.response.status_code == 400
