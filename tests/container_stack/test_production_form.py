"""The production form (docker-compose.yml + docker-compose.prod.yml): it refuses to start
without its secrets, naming each, and starts healthy when they are given."""

from __future__ import annotations

import json
import re
import secrets
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from native_stack.emulator_registration import SEED_FILE, read_seeded_registration
from native_stack.ports import free_port
from native_stack.stack import REPO_ROOT
from tests.container_stack.compose_project import ComposeProject, inspect
from tests.container_stack.conftest import TEST_TAG, save_logs
from tests.credentials.certificates import new_signing_key_pem
from tests.support.browser import plain_get

PRODUCTION_FILES = [REPO_ROOT / "docker-compose.yml", REPO_ROOT / "docker-compose.prod.yml"]
EMULATOR_IDENTITY_FILE = Path(__file__).with_name("compose.emulator-identity.yml")
OUR_FRAME = re.compile(r'File ".*/(signin_core|auth_service|graph_service)/')
REQUIRED = (
    "CLIENT_ID",
    "AUTHORITY",
    "REDIS_PASSWORD",
    "DATA_ENCRYPTION_KEYS",
    "IDENTITY_ASSERTION_KEY",
    "PUBLIC_URL",
)


def test_refuses_to_start_naming_each_missing_secret(built_images: list[str]) -> None:
    project = ComposeProject("signin-tests-prod-refused", PRODUCTION_FILES, {"TAG": TEST_TAG})
    refused = project.compose("up", "--detach", "--pull", "never", "--no-build", check=False)
    assert refused.returncode != 0
    for name in REQUIRED:
        assert f"required variable {name} is missing a value" in refused.stderr, refused.stderr
    assert not project.container_ids(), "compose created containers before refusing"


def test_the_services_name_a_missing_client_credential(
    built_images: list[str], tmp_path: Path
) -> None:
    """Compose cannot require one of two variables; the services say it themselves."""
    variables = production_variables(free_port(), client_secret="", credentials_dir=tmp_path)
    variables["AUTHORITY"] = "https://login.microsoftonline.com/common"
    project = ComposeProject("signin-tests-prod-no-credential", PRODUCTION_FILES, variables)
    project.down()
    try:
        failed = project.compose(
            "up", "--detach", "--pull", "never", "--no-build", "--wait", "--wait-timeout", "60",
            "auth-service", check=False, timeout=120,
        )  # fmt: skip
        assert failed.returncode != 0
        (auth,) = project.container_ids("auth-service")
        logs = project.logs(auth)
        assert "CLIENT_SECRET: is not set, nor CLIENT_CERTIFICATE_PATH" in logs, logs[-2000:]
        # Our message, not our stack trace (gunicorn may print its own HaltServer traceback,
        # depending on where its arbiter learns that the workers stopped).
        assert not OUR_FRAME.search(logs), logs[-2000:]
    finally:
        project.down()


def production_variables(port: int, *, client_secret: str, credentials_dir: Path) -> dict[str, str]:
    """Every variable the production form requires, with fresh secrets, published on loopback;
    credentials_dir in the place of the repository's ./credentials (compose would make it)."""
    registration = read_seeded_registration()
    return {
        "TAG": TEST_TAG,
        "CREDENTIALS_DIR": str(credentials_dir),
        "CLIENT_ID": registration.client_id,
        "CLIENT_SECRET": client_secret,
        "AUTHORITY": f"https://emulator:8443/{registration.tenant_id}",
        "REDIS_PASSWORD": secrets.token_urlsafe(24),
        "DATA_ENCRYPTION_KEYS": secrets.token_urlsafe(32),
        "IDENTITY_ASSERTION_KEY": secrets.token_urlsafe(32),
        "APP_PRINCIPAL_SIGNING_KEYS": new_signing_key_pem(),
        "PUBLIC_URL": f"http://localhost:{port}",
        "PUBLIC_PORT": str(port),
        "PUBLIC_TLS_PORT": str(free_port()),
        "PUBLIC_BIND_ADDRESS": "127.0.0.1",  # the tests publish nothing beyond this machine
    }


@pytest.fixture(scope="module")
def production_stack(
    built_images: list[str], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[ComposeProject, str]]:
    """The production form, every secret given, the emulator standing in for Microsoft."""
    client_secret = secrets.token_urlsafe(24)
    seed = json.loads(SEED_FILE.read_text(encoding="utf-8"))
    seed["apps"][0]["client_secrets"] = [client_secret]
    seed_dir = tmp_path_factory.mktemp("production-seed")
    (seed_dir / "seed.json").write_text(json.dumps(seed), encoding="utf-8")
    seed_dir.chmod(0o755)
    (seed_dir / "seed.json").chmod(0o644)
    port = free_port()
    variables = production_variables(
        port,
        client_secret=client_secret,
        credentials_dir=tmp_path_factory.mktemp("production-credentials"),
    )
    variables["EMULATOR_SEED_DIR"] = str(seed_dir)
    project = ComposeProject(
        "signin-tests-prod", [*PRODUCTION_FILES, EMULATOR_IDENTITY_FILE], variables
    )
    project.down()
    try:
        project.up()
        yield project, f"http://localhost:{port}"
    finally:
        save_logs(project)
        project.down()


def test_starts_healthy_with_every_secret(production_stack: tuple[ComposeProject, str]) -> None:
    project, public_url = production_stack
    services = set(project.services())
    assert "demo-app" not in services
    for service in ("redis", "auth-service", "graph-service", "nginx"):
        (container_id,) = project.container_ids(service)
        assert inspect(container_id)["State"]["Health"]["Status"] == "healthy", service
    assert plain_get(public_url + "/healthz").status_code == 200
    assert plain_get(public_url + "/").status_code == 200

    sign_in = plain_get(public_url + "/login")
    assert sign_in.status_code == 302, sign_in.text[:500]
    authorize = urlsplit(sign_in.headers["Location"])
    registration = read_seeded_registration()
    assert (authorize.scheme, authorize.netloc) == ("https", "emulator:8443")
    assert authorize.path == f"/{registration.tenant_id}/oauth2/v2.0/authorize"
    assert f"client_id={registration.client_id}" in authorize.query

    graph = plain_get(public_url + "/graph/me", headers={"Accept": "application/json"})
    assert graph.status_code == 401 and graph.json()["error"]["code"] == "unauthenticated"
    # The development emulator's pages are not part of production.
    assert plain_get(public_url + "/_emulator/healthz").status_code == 404
