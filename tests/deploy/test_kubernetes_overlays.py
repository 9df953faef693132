"""What each overlay promises: workload identity and an external Redis, or Redis in-cluster
and a certificate; and that the services accept the configuration the manifests give them."""

from __future__ import annotations

import base64
import os
import shutil
from pathlib import Path
from typing import Any

import pytest
from auth_service.settings import AuthSettings
from graph_service.settings import GraphSettings

from signin_state.errors import ConfigurationError
from signin_state.settings import IdentitySettings, load_settings
from tests.deploy.kustomize import (
    KUSTOMIZE_ROOT,
    OPERATOR_CONFIG,
    Manifest,
    find,
    pod_spec,
    render,
)

IDENTITY_CLIENTS = ("auth-service", "graph-service")
SETTINGS = {"auth-service": AuthSettings, "graph-service": GraphSettings}
ENTRA_TOKEN_EXCHANGE_AUDIENCE = "api://AzureADTokenExchange"


def container_of(manifests: list[Manifest], name: str) -> dict[str, Any]:
    container: dict[str, Any] = pod_spec(find(manifests, "Deployment", name)[0])["containers"][0]
    return container


def env_of(manifests: list[Manifest], name: str) -> dict[str, str]:
    """The environment the container starts with: its ConfigMaps, then its own env."""
    container = container_of(manifests, name)
    env: dict[str, str] = {}
    for source in container.get("envFrom", []):
        (config_map,) = [
            m
            for m in find(manifests, "ConfigMap")
            if m["metadata"]["name"] == source["configMapRef"]["name"]
        ]
        env.update(config_map["data"])
    env.update({item["name"]: item["value"] for item in container.get("env", [])})
    return env


def materialize_mounts(manifests: list[Manifest], name: str, root: Path) -> dict[str, Path]:
    """Write each volume the container mounts under root, as the kubelet would; mountPath->dir."""
    spec = pod_spec(find(manifests, "Deployment", name)[0])
    volumes = {volume["name"]: volume for volume in spec["volumes"]}
    places = {}
    for mount in spec["containers"][0]["volumeMounts"]:
        volume = volumes[mount["name"]]
        directory = root / name / mount["name"]
        directory.mkdir(parents=True)
        if "secret" in volume:
            (secret,) = [
                m
                for m in find(manifests, "Secret")
                if m["metadata"]["name"] == volume["secret"]["secretName"]
            ]
            for key, value in secret["data"].items():
                (directory / key).write_bytes(base64.b64decode(value))
        for source in volume.get("projected", {}).get("sources", []):
            token = source["serviceAccountToken"]
            (directory / token["path"]).write_text("header.service-account-token.signature")
        places[mount["mountPath"]] = directory
    return places


def settings_from_manifests(
    manifests: list[Manifest], name: str, root: Path, monkeypatch: pytest.MonkeyPatch
) -> IdentitySettings:
    """Load the service's settings from exactly what its pod would have."""
    places = materialize_mounts(manifests, name, root)
    for variable in list(os.environ):
        if variable.upper() in {
            f.upper() for f in SETTINGS[name].model_fields
        } or variable.endswith("_FILE"):
            monkeypatch.delenv(variable)
    for variable, value in env_of(manifests, name).items():
        for mount_path, directory in places.items():
            if value.startswith(mount_path + "/"):
                value = str(directory / value.removeprefix(mount_path + "/"))
        monkeypatch.setenv(variable, value)
    return load_settings(SETTINGS[name], name)


@pytest.mark.parametrize("overlay", ["production", "in-cluster-redis"])
@pytest.mark.parametrize("name", IDENTITY_CLIENTS)
def test_services_accept_the_configuration_the_overlay_gives_them(
    rendered: dict[str, list[Manifest]],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    overlay: str,
    name: str,
) -> None:
    settings = settings_from_manifests(rendered[f"overlays/{overlay}"], name, tmp_path, monkeypatch)
    assert settings.app_env == "production"
    assert settings.client_id == OPERATOR_CONFIG["Enter_the_Application_Id_Here"]
    assert settings.client_secret is None


def test_committed_placeholders_stop_the_services(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Rendered straight from the repository (secret files as the operator would add them).
    overlay = tmp_path / "kubernetes"
    shutil.copytree(KUSTOMIZE_ROOT, overlay)
    secrets = overlay / "overlays" / "production" / "secrets"
    for file in ("data-encryption-keys", "identity-assertion-key"):
        (secrets / file).write_text("k" * 43)
    (secrets / "redis-url").write_text("redis://redis.example.com:6379/0")
    manifests = render(overlay / "overlays" / "production")
    with pytest.raises(ConfigurationError, match="CLIENT_ID"):
        settings_from_manifests(manifests, "auth-service", tmp_path / "mounts", monkeypatch)


def test_production_authenticates_with_workload_identity(
    rendered: dict[str, list[Manifest]],
) -> None:
    manifests = rendered["overlays/production"]
    (account,) = find(manifests, "ServiceAccount", "signin-stack")
    client_id = OPERATOR_CONFIG["Enter_the_Application_Id_Here"]
    assert account["metadata"]["annotations"]["azure.workload.identity/client-id"] == client_id
    for name in IDENTITY_CLIENTS:
        spec = pod_spec(find(manifests, "Deployment", name)[0])
        assert spec["serviceAccountName"] == "signin-stack"
        token_file = Path(env_of(manifests, name)["AZURE_FEDERATED_TOKEN_FILE"])
        (mount,) = [
            m
            for m in spec["containers"][0]["volumeMounts"]
            if m["mountPath"] == str(token_file.parent)
        ]
        (volume,) = [v for v in spec["volumes"] if v["name"] == mount["name"]]
        (source,) = volume["projected"]["sources"]
        token = source["serviceAccountToken"]
        assert token["path"] == token_file.name
        assert token["audience"] == ENTRA_TOKEN_EXCHANGE_AUDIENCE
        assert token["expirationSeconds"] <= 24 * 3600


def test_production_keeps_no_client_secret_or_certificate(
    rendered: dict[str, list[Manifest]],
) -> None:
    manifests = rendered["overlays/production"]
    for name in IDENTITY_CLIENTS:
        env = env_of(manifests, name)
        assert not {"CLIENT_SECRET", "CLIENT_SECRET_FILE", "CLIENT_CERTIFICATE_PATH"} & env.keys()
    (secret,) = find(manifests, "Secret", "signin-secrets")
    assert set(secret["data"]) == {"data-encryption-keys", "identity-assertion-key", "redis-url"}


def test_production_uses_redis_outside_the_cluster_by_url(
    rendered: dict[str, list[Manifest]],
) -> None:
    manifests = rendered["overlays/production"]
    assert not find(manifests, "StatefulSet")
    for name in IDENTITY_CLIENTS:
        assert env_of(manifests, name)["REDIS_URL_FILE"] == "/run/secrets/signin/redis-url"


def test_in_cluster_redis_keeps_an_append_only_file_on_a_persistent_volume(
    rendered: dict[str, list[Manifest]],
) -> None:
    manifests = rendered["overlays/in-cluster-redis"]
    (redis,) = find(manifests, "StatefulSet", "redis")
    args = pod_spec(redis)["containers"][0]["args"]
    assert args[args.index("--appendonly") + 1] == "yes"
    assert args[args.index("--dir") + 1] == "/data"
    (claim,) = redis["spec"]["volumeClaimTemplates"]
    assert claim["metadata"]["name"] == "data"
    (service,) = find(manifests, "Service", "redis")
    port = service["spec"]["ports"][0]["port"]
    for name in IDENTITY_CLIENTS:
        assert env_of(manifests, name)["REDIS_URL"] == f"redis://redis:{port}/0"


def test_in_cluster_redis_admits_only_the_two_services(
    rendered: dict[str, list[Manifest]],
) -> None:
    manifests = rendered["overlays/in-cluster-redis"]
    (policy,) = find(manifests, "NetworkPolicy", "redis")
    (rule,) = policy["spec"]["ingress"]
    (peer,) = rule["from"]
    allowed = peer["podSelector"]["matchLabels"].items()
    for deployment in find(manifests, "Deployment"):
        labels = deployment["spec"]["template"]["metadata"]["labels"].items()
        admitted = allowed <= labels
        assert admitted == (deployment["metadata"]["name"] in IDENTITY_CLIENTS)


def test_in_cluster_overlay_authenticates_with_a_certificate(
    rendered: dict[str, list[Manifest]],
) -> None:
    manifests = rendered["overlays/in-cluster-redis"]
    for name in IDENTITY_CLIENTS:
        path = env_of(manifests, name)["CLIENT_CERTIFICATE_PATH"]
        assert path == "/run/secrets/signin/client-certificate.pem"
