"""MSAL Node passes against the emulator unchanged: msal_node/flow.mjs signs in with a
ConfidentialClientApplication (auth code URL, the sign-in page over HTTP, the code redeemed,
a cached token, a refreshed one) against the running emulator, trusting its CA."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import jwt
import pytest
from emulator_support import (
    AVERY,
    CLIENT_ID,
    CLIENT_SECRET,
    REDIRECT_URI,
    TENANT_ID,
    RunningEmulator,
    graph_get,
)

MSAL_NODE_DIR = Path(__file__).parent / "msal_node"


@pytest.fixture(scope="module")
def node() -> str:
    """Node.js with the script's packages installed from its lock file (npm ci, once)."""
    found, npm = shutil.which("node"), shutil.which("npm")
    assert found and npm, "Node.js 20 and npm are needed for this test (apt-get install nodejs npm)"
    if not (MSAL_NODE_DIR / "node_modules" / "@azure" / "msal-node").exists():
        subprocess.run(
            [npm, "ci", "--no-audit", "--no-fund"], cwd=MSAL_NODE_DIR, check=True, timeout=300
        )
    return found


def run_flow(node: str, emulator: RunningEmulator, username: str) -> dict:
    """Run flow.mjs against emulator; return its JSON answer."""
    env = {
        "PATH": os.environ.get("PATH", ""),
        "EMULATOR_URL": emulator.url,
        "TENANT_ID": TENANT_ID,
        "CLIENT_ID": CLIENT_ID,
        "CLIENT_SECRET": CLIENT_SECRET,
        "REDIRECT_URI": REDIRECT_URI,
        "USERNAME": username,
        "NODE_EXTRA_CA_CERTS": str(emulator.ca_path),
    }
    done = subprocess.run(
        [node, "flow.mjs"], cwd=MSAL_NODE_DIR, env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def test_msal_node_signs_in_redeems_caches_and_refreshes(node, emulator):
    answer = run_flow(node, emulator, AVERY)
    assert answer["authCodeUrl"].startswith(f"{emulator.url}/{TENANT_ID}/oauth2/v2.0/authorize?")
    assert answer["username"] == AVERY and answer["tenantId"] == TENANT_ID
    assert answer["idTokenClaims"]["iss"] == f"{emulator.url}/{TENANT_ID}/v2.0"
    by_code, cached, refreshed = answer["accessTokens"]
    assert answer["fromCache"] == [False, True, False]
    assert cached == by_code and refreshed != by_code
    for token in (by_code, refreshed):
        assert jwt.decode(token, options={"verify_signature": False})["upn"] == AVERY
    me = graph_get(emulator, "/me", refreshed)
    assert me.status_code == 200 and me.json()["userPrincipalName"] == AVERY
    # One code redeemed, the cached token served without a request, one refresh.
    grants = emulator.counts()["token_by_grant_type"]
    assert grants["authorization_code"] == 1 and grants["refresh_token"] == 1
