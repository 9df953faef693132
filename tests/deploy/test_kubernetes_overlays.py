"""What each overlay promises: workload identity and an external Redis, or Redis in-cluster
and a certificate; that the services accept the configuration the manifests give them; and
that Redis's password reaches Redis and both services from the Secret, and nowhere else."""

from __future__ import annotations

import base64
import os
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from auth_service.settings import AuthSettings
from graph_service.settings import GraphSettings

from native_stack.ports import free_port
from native_stack.processes import ManagedProcess
from native_stack.redis_server import (
    START_REDIS_SCRIPT,
    START_REDIS_VARIABLES,
    redis_answers,
    redis_server_binary,
)
from signin_core.errors import ConfigurationError
from signin_core.settings import IdentitySettings, load_settings
from signin_core.store.byte_store import RedisByteStore
from signin_core.store.redis_connection import connect_redis
from signin_core.store.redis_urls import parse_redis_url
from tests.credentials.certificates import new_signing_key_pem
from tests.deploy.kustomize import (
    KUSTOMIZE_ROOT,
    OPERATOR_CONFIG,
    OPERATOR_REDIS_PASSWORD,
    OVERLAYS,
    TARGETS,
    Manifest,
    find,
    pod_spec,
    render,
    workloads,
)

IDENTITY_CLIENTS = ("auth-service", "graph-service")
SETTINGS = {"auth-service": AuthSettings, "graph-service": GraphSettings}
ENTRA_TOKEN_EXCHANGE_AUDIENCE = "api://AzureADTokenExchange"


def workload_named(manifests: list[Manifest], name: str) -> Manifest:
    """The Deployment or StatefulSet called name."""
    (workload,) = [w for w in workloads(manifests) if w["metadata"]["name"] == name]
    return workload


def container_of(manifests: list[Manifest], name: str) -> dict[str, Any]:
    container: dict[str, Any] = pod_spec(workload_named(manifests, name))["containers"][0]
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
    """Write each volume the container mounts under root, as the kubelet would; mountPath->dir.
    A volume claim (a StatefulSet's) is an empty directory."""
    spec = pod_spec(workload_named(manifests, name))
    volumes = {volume["name"]: volume for volume in spec["volumes"]}
    places = {}
    for mount in spec["containers"][0]["volumeMounts"]:
        volume = volumes.get(mount["name"], {})
        directory = root / name / mount["name"]
        directory.mkdir(parents=True)
        if "secret" in volume:
            (secret,) = [
                m
                for m in find(manifests, "Secret")
                if m["metadata"]["name"] == volume["secret"]["secretName"]
            ]
            items = volume["secret"].get("items") or [
                {"key": key, "path": key} for key in secret["data"]
            ]
            for item in items:
                (directory / item["path"]).write_bytes(
                    base64.b64decode(secret["data"][item["key"]])
                )
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
        monkeypatch.setenv(variable, in_mounts(value, places))
    return load_settings(SETTINGS[name], name)


def in_mounts(value: str, places: dict[str, Path]) -> str:
    """value with a path inside a mounted volume made the path of its materialized copy."""
    for mount_path, directory in places.items():
        if value == mount_path or value.startswith(mount_path + "/"):
            return str(directory / value.removeprefix(mount_path).lstrip("/"))
    return value


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
    (secrets / "redis-password").write_text("r" * 32)
    (secrets / "app-principal-signing-keys.pem").write_text(new_signing_key_pem())
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
    assert set(secret["data"]) == {
        "data-encryption-keys",
        "identity-assertion-key",
        "app-principal-signing-keys.pem",
        "redis-url",
        "redis-password",
    }


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
        assert env_of(manifests, name)["REDIS_URL"] == f"redis://signin@redis:{port}/0"


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


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_both_services_read_the_redis_password_from_the_secret(
    rendered: dict[str, list[Manifest]],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    overlay: str,
) -> None:
    manifests = rendered[f"overlays/{overlay}"]
    for name in IDENTITY_CLIENTS:
        assert (
            env_of(manifests, name)["REDIS_PASSWORD_FILE"] == "/run/secrets/signin/redis-password"
        )
        settings = settings_from_manifests(manifests, name, tmp_path, monkeypatch)
        assert settings.redis_password is not None
        assert settings.redis_password.get_secret_value() == OPERATOR_REDIS_PASSWORD
        assert parse_redis_url(settings.redis_url).password is None


@pytest.mark.parametrize("target", TARGETS)
def test_the_redis_password_is_in_the_secret_alone(
    rendered: dict[str, list[Manifest]], target: str
) -> None:
    encoded = base64.b64encode(OPERATOR_REDIS_PASSWORD.encode()).decode()
    for manifest in rendered[target]:
        if manifest["kind"] != "Secret":
            text = yaml.safe_dump(manifest)
            assert OPERATOR_REDIS_PASSWORD not in text, manifest["metadata"]["name"]
            assert encoded not in text, manifest["metadata"]["name"]
    for config_map in find(rendered[target], "ConfigMap"):
        data = config_map["data"]
        assert not {"REDIS_PASSWORD", "REDIS_PASSWORD_FILE"} & data.keys()
        if "REDIS_URL" in data:
            assert parse_redis_url(data["REDIS_URL"]).password is None
    for workload in workloads(rendered[target]):
        for container in pod_spec(workload)["containers"]:
            variables = {item["name"] for item in container.get("env", [])}
            assert "REDIS_PASSWORD" not in variables, workload["metadata"]["name"]


def test_in_cluster_redis_reads_only_its_password_from_the_services_secret(
    rendered: dict[str, list[Manifest]], tmp_path: Path
) -> None:
    manifests = rendered["overlays/in-cluster-redis"]
    container = container_of(manifests, "redis")
    assert container["image"] == "signin-stack/redis:latest"
    assert container["readinessProbe"]["exec"]["command"] == ["ping.sh"]
    env = env_of(manifests, "redis")
    places = materialize_mounts(manifests, "redis", tmp_path)
    password_file = Path(in_mounts(env["REDIS_PASSWORD_FILE"], places))
    assert password_file.read_text() == OPERATOR_REDIS_PASSWORD
    assert [path.name for path in password_file.parent.iterdir()] == ["redis-password"]
    secret_names = {
        volume["secret"]["secretName"]
        for name in ("redis", *IDENTITY_CLIENTS)
        for volume in pod_spec(workload_named(manifests, name))["volumes"]
        if "secret" in volume
    }
    assert len(secret_names) == 1  # one Secret, one redis-password for all three
    for name in IDENTITY_CLIENTS:
        assert (
            parse_redis_url(env_of(manifests, name)["REDIS_URL"]).username
            == (env["REDIS_USERNAME"])
        )


def test_both_services_get_into_redis_started_as_its_manifest_says(
    rendered: dict[str, list[Manifest]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    manifests = rendered["overlays/in-cluster-redis"]
    places = materialize_mounts(manifests, "redis", tmp_path)
    env = {name: in_mounts(value, places) for name, value in env_of(manifests, "redis").items()}
    args = [in_mounts(arg, places) for arg in container_of(manifests, "redis")["args"]]
    port = free_port()
    environment = {k: v for k, v in os.environ.items() if k not in START_REDIS_VARIABLES}
    redis_pod = ManagedProcess(
        "redis",
        [str(START_REDIS_SCRIPT), *args, "--port", str(port), "--bind", "127.0.0.1"],
        {**environment, **env, "REDIS_SERVER": redis_server_binary()},
        tmp_path / "redis.log",
    )
    (service,) = find(manifests, "Service", "redis")
    in_cluster = f"@{service['metadata']['name']}:{service['spec']['ports'][0]['port']}/"
    redis_pod.start()
    try:
        redis_pod.wait_ready(
            lambda: redis_answers(
                port, username=env["REDIS_USERNAME"], password=OPERATOR_REDIS_PASSWORD
            )
        )
        for name in IDENTITY_CLIENTS:
            settings = settings_from_manifests(manifests, name, tmp_path, monkeypatch)
            assert settings.redis_password is not None and in_cluster in settings.redis_url
            connection = connect_redis(
                settings.redis_url.replace(in_cluster, f"@127.0.0.1:{port}/"),
                password=settings.redis_password.get_secret_value(),
            )
            store = RedisByteStore(connection)
            try:
                assert store.ping(), redis_pod.log_tail()
                store.set(f"signin:session:{name}", b"sealed", ttl_seconds=60)
                assert store.get(f"signin:session:{name}") == b"sealed"
            finally:
                connection.close()
    finally:
        redis_pod.stop()


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_nginx_answers_for_the_public_url_the_services_use(
    rendered: dict[str, list[Manifest]], overlay: str
) -> None:
    # With PUBLIC_URL nginx refuses every other host: one value, or every request is a 421.
    manifests = rendered[f"overlays/{overlay}"]
    (services,) = find(manifests, "ConfigMap", "signin-config")
    (nginx,) = find(manifests, "ConfigMap", "nginx-template-values")
    assert services["data"]["PUBLIC_URL"].startswith("https://")
    assert nginx["data"]["PUBLIC_URL"] == services["data"]["PUBLIC_URL"]
    (base,) = find(rendered["base"], "ConfigMap", "nginx-template-values")
    assert base["data"]["PUBLIC_URL"] == ""  # the base serves any host
