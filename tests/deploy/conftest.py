"""The manifests rendered once per test session from an operator-filled copy."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.credentials.certificates import new_certificate, new_signing_key_pem, write_pem
from tests.deploy.kustomize import (
    OPERATOR_REDIS_PASSWORD,
    TARGETS,
    Manifest,
    prepare_operator_copy,
    render,
)


@pytest.fixture(scope="session")
def operator_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """deploy/kubernetes as an operator has it before `kubectl apply -k`."""
    workspace = tmp_path_factory.mktemp("kustomize")
    client = new_certificate("signin-stack deployment test")
    pem = write_pem(workspace / "client.pem", client.key, client.certificate).read_text()
    secret_contents = {
        "data-encryption-keys": "d" * 43,
        "identity-assertion-key": "i" * 43,
        "app-principal-signing-keys.pem": new_signing_key_pem(),
        "redis-url": "rediss://redis.example.com:6380/0",
        "redis-password": OPERATOR_REDIS_PASSWORD,
        "client-certificate.pem": pem,
    }
    return prepare_operator_copy(workspace, secret_contents)


@pytest.fixture(scope="session")
def rendered(operator_copy: Path) -> dict[str, list[Manifest]]:
    """Every kustomization target rendered: base and each overlay."""
    return {target: render(operator_copy / target) for target in TARGETS}
