"""Settings: missing or placeholder secrets stop a service, naming the variable."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from signin_core.errors import ConfigurationError
from signin_core.identity.clouds import is_b2c_user_flow
from signin_core.settings import IdentitySettings, load_settings

VALID = {
    "CLIENT_ID": "11111111-2222-3333-4444-555555555555",
    "CLIENT_SECRET": "a-real-looking-secret-value",
    "AUTHORITY": "https://login.microsoftonline.com/contoso.onmicrosoft.com",
    "DATA_ENCRYPTION_KEYS": "d" * 43,
    "IDENTITY_ASSERTION_KEY": "i" * 43,
}


@pytest.fixture
def environment(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for name in list(os.environ):
        if name.upper() in IdentitySettings.model_fields or name.upper().endswith("_FILE"):
            monkeypatch.delenv(name)
    for name in [*VALID, "APP_ENV"]:
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def test_valid_production_settings_load(environment: pytest.MonkeyPatch) -> None:
    for name, value in VALID.items():
        environment.setenv(name, value)
    settings = load_settings(IdentitySettings, "svc")
    assert settings.app_env == "production"
    assert settings.client_id == VALID["CLIENT_ID"]


@pytest.mark.parametrize("missing", sorted(VALID))
def test_missing_variable_is_named(environment: pytest.MonkeyPatch, missing: str) -> None:
    for name, value in VALID.items():
        if name != missing:
            environment.setenv(name, value)
    with pytest.raises(ConfigurationError, match=missing):
        load_settings(IdentitySettings, "svc")


@pytest.mark.parametrize(
    ("variable", "placeholder"),
    [
        ("CLIENT_SECRET", "dev-only-emulator-client-secret"),
        ("CLIENT_ID", "Enter_the_Application_Id_Here"),
        ("IDENTITY_ASSERTION_KEY", "changeme-changeme-changeme-changeme-00"),
        ("DATA_ENCRYPTION_KEYS", "placeholder-placeholder-placeholder-00"),
    ],
)
def test_placeholders_are_refused_outside_development(
    environment: pytest.MonkeyPatch, variable: str, placeholder: str
) -> None:
    for name, value in {**VALID, variable: placeholder}.items():
        environment.setenv(name, value)
    with pytest.raises(ConfigurationError, match=variable):
        load_settings(IdentitySettings, "svc")
    environment.setenv("APP_ENV", "development")
    assert load_settings(IdentitySettings, "svc").is_development


def test_secret_from_file(environment: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name, value in VALID.items():
        environment.setenv(name, value)
    environment.delenv("CLIENT_SECRET")
    secret_file = tmp_path / "client_secret"
    secret_file.write_text("secret-from-a-file\n")
    environment.setenv("CLIENT_SECRET_FILE", str(secret_file))
    settings = load_settings(IdentitySettings, "svc")
    assert settings.client_secret.get_secret_value() == "secret-from-a-file"


def test_redis_password_from_file(environment: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name, value in {**VALID, "REDIS_URL": "redis://signin@redis:6379/0"}.items():
        environment.setenv(name, value)
    password_file = tmp_path / "redis-password"
    password_file.write_text("redis-password-from-a-file\n")
    environment.setenv("REDIS_PASSWORD_FILE", str(password_file))
    settings = load_settings(IdentitySettings, "svc")
    assert settings.redis_password is not None
    assert settings.redis_password.get_secret_value() == "redis-password-from-a-file"
    assert "redis-password-from-a-file" not in repr(settings)


@pytest.mark.parametrize("given_as", ["REDIS_PASSWORD", "REDIS_PASSWORD_FILE"])
def test_a_redis_password_beside_one_in_redis_url_is_refused(
    environment: pytest.MonkeyPatch, tmp_path: Path, given_as: str
) -> None:
    url = "redis://signin:password-in-the-url@redis:6379/0"
    for name, value in {**VALID, "REDIS_URL": url}.items():
        environment.setenv(name, value)
    if given_as == "REDIS_PASSWORD_FILE":
        password_file = tmp_path / "redis-password"
        password_file.write_text("the-other-password")
        environment.setenv("REDIS_PASSWORD_FILE", str(password_file))
    else:
        environment.setenv("REDIS_PASSWORD", "the-other-password")
    with pytest.raises(ConfigurationError, match="REDIS_PASSWORD: .*REDIS_URL") as refused:
        load_settings(IdentitySettings, "svc")
    assert "password-in-the-url" not in str(refused.value)
    assert "the-other-password" not in str(refused.value)
    environment.setenv("REDIS_URL", "redis://signin@redis:6379/0")
    assert load_settings(IdentitySettings, "svc").redis_password is not None


def test_http_authority_is_refused(environment: pytest.MonkeyPatch) -> None:
    for name, value in {**VALID, "AUTHORITY": "http://login.example"}.items():
        environment.setenv(name, value)
    with pytest.raises(ConfigurationError, match="AUTHORITY"):
        load_settings(IdentitySettings, "svc")


@pytest.mark.parametrize("factory", ["auth_service.app", "graph_service.app"])
def test_service_stops_at_start_with_a_clear_message(factory: str) -> None:
    env = {"PATH": os.environ["PATH"]}  # the services are installed where this Python runs
    result = subprocess.run(
        [sys.executable, "-c", f"from {factory} import create_app; create_app()"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 3
    assert "CLIENT_SECRET: is not set" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("cloud", "authority", "graph"),
    [
        ("public", "https://login.microsoftonline.com/t", "https://graph.microsoft.com/v1.0"),
        ("usgovernment", "https://login.microsoftonline.us/t", "https://graph.microsoft.us/v1.0"),
        (
            "china",
            "https://login.chinacloudapi.cn/t",
            "https://microsoftgraph.chinacloudapi.cn/v1.0",
        ),
    ],
)
def test_the_graph_base_url_follows_azure_cloud(
    environment: pytest.MonkeyPatch, cloud: str, authority: str, graph: str
) -> None:
    for name, value in {**VALID, "AZURE_CLOUD": cloud, "AUTHORITY": authority}.items():
        environment.setenv(name, value)
    environment.delenv("GRAPH_BASE_URL", raising=False)
    settings = load_settings(WithGraph, "svc")
    assert settings.azure_cloud == cloud and settings.graph_base_url == graph


def test_an_explicit_graph_base_url_wins_over_the_cloud(environment: pytest.MonkeyPatch) -> None:
    for name, value in {**VALID, "AZURE_CLOUD": "usgovernment"}.items():
        environment.setenv(name, value)
    environment.setenv("AUTHORITY", "https://login.microsoftonline.us/t")
    environment.setenv("GRAPH_BASE_URL", "https://dod-graph.microsoft.us/v1.0")
    assert load_settings(WithGraph, "svc").graph_base_url == "https://dod-graph.microsoft.us/v1.0"


@pytest.mark.parametrize(
    ("cloud", "authority", "owner"),
    [
        ("usgovernment", "https://login.microsoftonline.com/t", "public"),
        ("public", "https://login.microsoftonline.us/t", "usgovernment"),
        ("public", "https://login.partner.microsoftonline.cn/t", "china"),
        ("china", "https://contoso.b2clogin.com/contoso.onmicrosoft.com/B2C_1_signin", "public"),
    ],
)
def test_an_authority_of_another_cloud_is_refused_naming_both(
    environment: pytest.MonkeyPatch, cloud: str, authority: str, owner: str
) -> None:
    for name, value in {**VALID, "AZURE_CLOUD": cloud, "AUTHORITY": authority}.items():
        environment.setenv(name, value)
    with pytest.raises(ConfigurationError) as raised:
        load_settings(IdentitySettings, "svc")
    message = str(raised.value)
    assert "AUTHORITY:" in message and f"AZURE_CLOUD={owner}" in message
    assert f"AZURE_CLOUD is {cloud}" in message


@pytest.mark.parametrize(
    "authority",
    [
        "https://login.microsoftonline.us/t",
        "https://emulator:8443/t",  # a host of no cloud: the emulator, a custom domain
    ],
)
def test_an_authority_of_the_chosen_cloud_or_of_none_loads(
    environment: pytest.MonkeyPatch, authority: str
) -> None:
    for name, value in {**VALID, "AZURE_CLOUD": "usgovernment", "AUTHORITY": authority}.items():
        environment.setenv(name, value)
    assert load_settings(IdentitySettings, "svc").authority == authority


def test_an_unknown_cloud_is_named(environment: pytest.MonkeyPatch) -> None:
    for name, value in {**VALID, "AZURE_CLOUD": "germany"}.items():
        environment.setenv(name, value)
    with pytest.raises(ConfigurationError, match="AZURE_CLOUD: Input should be 'public'"):
        load_settings(WithGraph, "svc")


class WithGraph(IdentitySettings):
    """A service's settings with a Graph base URL, as auth-service and graph-service have."""

    graph_base_url: str = "https://graph.microsoft.com/v1.0"


@pytest.mark.parametrize(
    ("authority", "b2c"),
    [
        ("https://fabrikamb2c.b2clogin.com/fabrikamb2c.onmicrosoft.com/B2C_1_signin", True),
        ("https://emulator:8443/fabrikamb2c.onmicrosoft.com/b2c_1_signupsignin", True),
        ("https://login.microsoftonline.com/contoso.onmicrosoft.com", False),
        ("https://woodgrove.ciamlogin.com/", False),
        ("https://emulator:8443/5f1e8c2a-3d4b-4e6f-9a7b-0c1d2e3f4a5b", False),
    ],
)
def test_b2c_user_flows_are_told_apart(authority: str, b2c: bool) -> None:
    assert is_b2c_user_flow(authority) is b2c
