"""Must show 3, in stand-in mode: the stack signs in a personal Microsoft account, an External
ID customer, a B2C user flow's customer and a US Government user, each with its real
authority (https://login.microsoftonline.com/consumers, https://<name>.ciamlogin.com/,
https://<name>.b2clogin.com/<tenant>/<user flow>, https://login.microsoftonline.us/<tenant>):
inside compose those names reach the emulator. The browser reaches the emulator's pages
through nginx, as in development. One compose project; between cases only the services
whose settings change are recreated."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from native_stack.emulator_registration import SEED_FILE, read_seeded_registration
from native_stack.ports import free_port
from tests.container_stack.compose_project import ComposeProject
from tests.container_stack.conftest import DEVELOPMENT_FILES, TEST_TAG, save_logs
from tests.support.browser import Browser
from tests.support.figures import Figures
from tests.support.sign_in import sign_in_through

STAND_IN_FILE = Path(__file__).with_name("compose.stand-in-clouds.yml")
REGISTRATION = read_seeded_registration()
# The emulator's seeded customer tenants, their registrations of the dev app, and customers.
CIAM_CLIENT_ID = "6a1d4f8e-2b7c-4e3a-9f5d-8c0b3e6a1d47"
B2C_CLIENT_ID = "7b2e5a9f-3c8d-4f4b-a06e-9d1c4f7b2e58"
CONSUMERS_TENANT_ID = "9188040d-6c67-4c5b-b112-36a304b66dad"


@dataclass(frozen=True)
class Case:
    """One kind of account or cloud: the settings it runs with, who signs in, what Graph says."""

    name: str
    variables: dict[str, str]
    username: str
    graph_status: int


CASES = [
    Case(
        "personal account",
        {
            "STAND_IN_AUTHORITY": "https://login.microsoftonline.com/consumers",
            "STAND_IN_CLIENT_ID": REGISTRATION.client_id,
        },
        "morgan.lee@outlook.example",
        200,
    ),
    Case(
        "External ID",
        {
            "STAND_IN_AUTHORITY": "https://woodgrovecustomers.ciamlogin.com/",
            "STAND_IN_CLIENT_ID": CIAM_CLIENT_ID,
        },
        "dana.okafor@woodgrove-mail.example",
        200,
    ),
    Case(
        "B2C user flow",
        {
            "STAND_IN_AUTHORITY": (
                "https://fabrikamb2c.b2clogin.com/fabrikamb2c.onmicrosoft.com/B2C_1_signupsignin"
            ),
            "STAND_IN_CLIENT_ID": B2C_CLIENT_ID,
            "LOGIN_SCOPES": "",  # a user flow grants no Graph scopes
        },
        "sasha.ivanova@fabrikam-mail.example",
        404,  # graph_not_available: B2C issues no Graph tokens
    ),
    Case(
        "US Government",
        {
            "STAND_IN_AUTHORITY": f"https://login.microsoftonline.us/{REGISTRATION.tenant_id}",
            "STAND_IN_CLIENT_ID": REGISTRATION.client_id,
            "AZURE_CLOUD": "usgovernment",
        },
        REGISTRATION.usernames[0],
        200,
    ),
]
RECONFIGURED = ["auth-service", "graph-service", "nginx"]


@dataclass
class StandInStack:
    """The stand-in project, and the case it now runs."""

    project: ComposeProject
    public_url: str
    case: str = ""

    def run_case(self, case: Case, figures: Figures) -> None:
        """Recreate the services whose settings the case changes (nothing if it runs)."""
        if case.name == self.case:
            return
        started = time.monotonic()
        base = {k: v for k, v in self.project.variables.items() if k in BASE_VARIABLES}
        self.project.variables = {**base, **case.variables}
        self.project.up(*RECONFIGURED)
        self.wait_for_the_new_services()
        self.case = case.name
        figures.add(f"stand-in {case.name}: reconfigured in {time.monotonic() - started:.0f} s")

    def wait_for_the_new_services(self, timeout_seconds: float = 20) -> None:
        """Wait until nginx reaches the recreated services (it re-resolves names every few
        seconds): /login redirects to the identity platform, /graph/me answers graph-service's
        own refusal (401, or B2C's 404) rather than nginx's 502."""
        deadline = time.monotonic() + timeout_seconds
        with Browser() as browser:
            for path, expected in (("/login", (302,)), ("/graph/me", (401, 404))):
                while True:
                    answer = browser.http.get(
                        self.public_url + path, allow_redirects=False, timeout=10
                    )
                    if answer.status_code in expected or time.monotonic() > deadline:
                        assert answer.status_code in expected, (path, answer.text[:300])
                        break
                    time.sleep(0.5)


BASE_VARIABLES = ("TAG", "PUBLIC_PORT", "PUBLIC_TLS_PORT", "EMULATOR_SEED_DIR")


@pytest.fixture(scope="module")
def stand_in_stack(
    built_images: list[str], tmp_path_factory: pytest.TempPathFactory, figures: Figures
) -> Iterator[StandInStack]:
    """The development form with the emulator under Microsoft's host names."""
    seed = json.loads(SEED_FILE.read_text(encoding="utf-8"))
    seed["apps"][0]["sign_in_audience"] = "AzureADandPersonalMicrosoftAccount"
    seed_dir = tmp_path_factory.mktemp("stand-in-seed")
    (seed_dir / "seed.json").write_text(json.dumps(seed), encoding="utf-8")
    seed_dir.chmod(0o755)
    (seed_dir / "seed.json").chmod(0o644)
    port = free_port()
    variables = {
        "TAG": TEST_TAG,
        "PUBLIC_PORT": str(port),
        "PUBLIC_TLS_PORT": str(free_port()),
        "EMULATOR_SEED_DIR": str(seed_dir),
        **CASES[0].variables,
    }
    project = ComposeProject(
        "signin-tests-stand-in", [*DEVELOPMENT_FILES, STAND_IN_FILE], variables
    )
    project.down()
    started = time.monotonic()
    try:
        project.up()
        figures.add(f"stand-in stack healthy {time.monotonic() - started:.0f} s after up")
        yield StandInStack(project, f"http://localhost:{port}", CASES[0].name)
    finally:
        save_logs(project)
        project.down()


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_sign_in_with_the_real_authority(
    stand_in_stack: StandInStack, figures: Figures, case: Case
) -> None:
    stand_in_stack.run_case(case, figures)
    with Browser() as browser:
        landed = sign_in_through(browser, stand_in_stack.public_url, case.username)
        assert landed.url == stand_in_stack.public_url + "/", landed.url
        me = browser.get(
            stand_in_stack.public_url + "/graph/me", headers={"Accept": "application/json"}
        )
        assert me.status_code == case.graph_status, me.text[:500]
        if case.graph_status == 200:
            assert me.json()["userPrincipalName"] == case.username
        else:
            assert me.json()["error"]["code"] == "graph_not_available"


def test_the_edge_names_the_us_government_sign_in_host(
    stand_in_stack: StandInStack, figures: Figures
) -> None:
    stand_in_stack.run_case(CASES[-1], figures)
    with Browser() as browser:
        home = browser.get(stand_in_stack.public_url + "/")
    policy = home.headers["Content-Security-Policy"]
    assert "form-action 'self' https://login.microsoftonline.us;" in policy, policy
