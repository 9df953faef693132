"""The nginx image's entrypoint step that gives IDENTITY_PLATFORM_ORIGIN (the policy's
form-action) AZURE_CLOUD's sign-in host unless it is set, run with sh as the image sources it."""

from __future__ import annotations

import os
import subprocess

import pytest

from native_stack.stack import REPO_ROOT

SCRIPT = REPO_ROOT / "nginx" / "entrypoint" / "10-identity-platform-origin.envsh"


def sourced(**env: str) -> subprocess.CompletedProcess[str]:
    """Source the script in sh with env, then print the origin it leaves exported."""
    clean = {
        k: v for k, v in os.environ.items() if k not in ("AZURE_CLOUD", "IDENTITY_PLATFORM_ORIGIN")
    }
    return subprocess.run(
        ["sh", "-c", f'. "{SCRIPT}" && sh -c \'echo "$IDENTITY_PLATFORM_ORIGIN"\''],
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=10,
    )


@pytest.mark.parametrize(
    ("env", "origin"),
    [
        ({}, "https://login.microsoftonline.com"),
        (
            {"AZURE_CLOUD": "public", "IDENTITY_PLATFORM_ORIGIN": ""},
            "https://login.microsoftonline.com",
        ),
        ({"AZURE_CLOUD": "usgovernment"}, "https://login.microsoftonline.us"),
        ({"AZURE_CLOUD": "china"}, "https://login.partner.microsoftonline.cn"),
        (
            {
                "AZURE_CLOUD": "usgovernment",
                "IDENTITY_PLATFORM_ORIGIN": "https://contoso.b2clogin.com",
            },
            "https://contoso.b2clogin.com",
        ),
    ],
)
def test_the_identity_origin_follows_the_cloud_unless_set(env: dict[str, str], origin: str) -> None:
    result = sourced(**env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == origin


def test_an_unknown_cloud_stops_the_container_naming_it() -> None:
    result = sourced(AZURE_CLOUD="germany")
    assert result.returncode != 0
    assert "AZURE_CLOUD=germany" in result.stderr and "usgovernment" in result.stderr


def test_the_script_is_executable_as_the_entrypoint_requires() -> None:
    assert os.access(SCRIPT, os.X_OK)  # the image's entrypoint sources only executable *.envsh
