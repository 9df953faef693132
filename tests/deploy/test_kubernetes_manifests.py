"""deploy/kubernetes renders with kustomize, matches the Kubernetes schemas and runs hardened."""

from __future__ import annotations

import copy
import re
import subprocess

import kubernetes_validate
import pytest

from native_stack.stack import REPO_ROOT
from native_stack.templates import PLACEHOLDER
from tests.deploy.gateway_api import is_gateway_api
from tests.deploy.kustomize import TARGETS, Manifest, find, pod_spec, workloads

# The oldest Kubernetes minor version the manifests promise to work on, and the newest whose
# schemas kubernetes-validate ships.
KUBERNETES_VERSIONS = ("1.29.0", kubernetes_validate.latest_version())
SERVICES = ("auth-service", "graph-service", "nginx")
NGINX_TEMPLATES = REPO_ROOT / "nginx" / "templates"
WRITTEN_PATHS = {
    "auth-service": ["/tmp"],
    "graph-service": ["/tmp"],
    "nginx": ["/tmp", "/etc/nginx/conf.d"],
    "redis": ["/data", "/tmp"],  # the append-only file; the ACL start-redis.sh writes
}


@pytest.mark.parametrize("version", KUBERNETES_VERSIONS)
@pytest.mark.parametrize("target", TARGETS)
def test_rendered_manifests_match_the_kubernetes_schemas(
    rendered: dict[str, list[Manifest]], target: str, version: str
) -> None:
    # The Gateway API's kinds have no Kubernetes schema: test_gateway_api_route.py checks them.
    for manifest in rendered[target]:
        if not is_gateway_api(manifest):
            kubernetes_validate.validate(manifest, version, strict=True)


def test_schema_validation_is_strict(rendered: dict[str, list[Manifest]]) -> None:
    deployment = copy.deepcopy(find(rendered["base"], "Deployment", "auth-service")[0])
    pod_spec(deployment)["containers"][0]["readinessProbe"]["httpGett"] = {"path": "/readyz"}
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(deployment, KUBERNETES_VERSIONS[0], strict=True)


@pytest.mark.parametrize("target", TARGETS)
def test_every_pod_runs_hardened(rendered: dict[str, list[Manifest]], target: str) -> None:
    for workload in workloads(rendered[target]):
        name = workload["metadata"]["name"]
        spec = pod_spec(workload)
        assert spec["automountServiceAccountToken"] is False, name
        pod_security = spec["securityContext"]
        assert pod_security["runAsNonRoot"] is True and pod_security["runAsUser"] > 0, name
        assert pod_security["seccompProfile"] == {"type": "RuntimeDefault"}, name
        for container in spec["containers"]:
            security = container["securityContext"]
            assert security["allowPrivilegeEscalation"] is False, name
            assert security["readOnlyRootFilesystem"] is True, name
            assert security["capabilities"] == {"drop": ["ALL"]}, name
            assert security.get("privileged") is not True, name
            for kind in ("requests", "limits"):
                assert set(container["resources"][kind]) == {"cpu", "memory"}, (name, kind)


@pytest.mark.parametrize("target", TARGETS)
def test_what_each_container_writes_is_a_volume(
    rendered: dict[str, list[Manifest]], target: str
) -> None:
    for workload in workloads(rendered[target]):
        name = workload["metadata"]["name"]
        writable = [
            mount["mountPath"]
            for mount in pod_spec(workload)["containers"][0]["volumeMounts"]
            if not mount.get("readOnly")
        ]
        for path in WRITTEN_PATHS[name]:
            assert any(path == place or path.startswith(place + "/") for place in writable), (
                name,
                path,
            )


@pytest.mark.parametrize("target", TARGETS)
def test_readiness_on_readyz_and_liveness_on_healthz(
    rendered: dict[str, list[Manifest]], target: str
) -> None:
    expected = {"auth-service": "/readyz", "graph-service": "/readyz", "nginx": "/healthz"}
    for name, readiness_path in expected.items():
        container = pod_spec(find(rendered[target], "Deployment", name)[0])["containers"][0]
        assert container["readinessProbe"]["httpGet"]["path"] == readiness_path, name
        assert container["livenessProbe"]["httpGet"]["path"] == "/healthz", name


@pytest.mark.parametrize("target", TARGETS)
def test_references_between_manifests_resolve(
    rendered: dict[str, list[Manifest]], target: str
) -> None:
    manifests = rendered[target]
    names = {(m["kind"], m["metadata"]["name"]) for m in manifests}
    for workload in workloads(manifests):
        spec = pod_spec(workload)
        account = spec.get("serviceAccountName")
        assert account is None or ("ServiceAccount", account) in names
        for source in spec["containers"][0].get("envFrom", []):
            assert ("ConfigMap", source["configMapRef"]["name"]) in names
        for volume in spec.get("volumes", []):
            if "secret" in volume and target != "base":  # the overlays generate the Secret
                assert ("Secret", volume["secret"]["secretName"]) in names
    for autoscaler in find(manifests, "HorizontalPodAutoscaler"):
        target_ref = autoscaler["spec"]["scaleTargetRef"]
        assert (target_ref["kind"], target_ref["name"]) in names
    pod_labels = [
        workload["spec"]["template"]["metadata"]["labels"] for workload in workloads(manifests)
    ]
    for selecting in [*find(manifests, "Service"), *find(manifests, "PodDisruptionBudget")]:
        selector = selecting["spec"]["selector"]
        selector = selector.get("matchLabels", selector)
        assert any(selector.items() <= labels.items() for labels in pod_labels), selecting


@pytest.mark.parametrize("target", TARGETS)
def test_every_service_tier_autoscales(rendered: dict[str, list[Manifest]], target: str) -> None:
    scaled = {
        a["spec"]["scaleTargetRef"]["name"]: a["spec"]
        for a in find(rendered[target], "HorizontalPodAutoscaler")
    }
    assert set(scaled) == set(SERVICES)
    for spec in scaled.values():
        assert 2 <= spec["minReplicas"] < spec["maxReplicas"]


def test_namespace_enforces_the_restricted_pod_security_standard(
    rendered: dict[str, list[Manifest]],
) -> None:
    for target in TARGETS:
        (namespace,) = find(rendered[target], "Namespace")
        labels = namespace["metadata"]["labels"]
        assert labels["pod-security.kubernetes.io/enforce"] == "restricted"
        assert {m["metadata"].get("namespace") for m in rendered[target] if m is not namespace} == {
            namespace["metadata"]["name"]
        }


def test_no_secret_file_is_committed() -> None:
    tracked = subprocess.run(
        ["git", "ls-files", "deploy"], cwd=REPO_ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    in_secret_dirs = [path for path in tracked if "/secrets/" in path]
    assert in_secret_dirs and all(
        path.endswith(("/secrets/README.md", "/secrets/.gitignore")) for path in in_secret_dirs
    ), in_secret_dirs


def test_nginx_template_values_are_variables_the_image_templates_use(
    rendered: dict[str, list[Manifest]],
) -> None:
    (values,) = find(rendered["base"], "ConfigMap", "nginx-template-values")
    templates = [NGINX_TEMPLATES / "default.conf.template", NGINX_TEMPLATES / "snippets"]
    used = {
        name
        for path in templates
        for file in ([path] if path.is_file() else sorted(path.rglob("*.template")))
        for name in PLACEHOLDER.findall(file.read_text())
    }
    # ... or that the image's entrypoint step reads before rendering them (AZURE_CLOUD).
    steps = (NGINX_TEMPLATES.parent / "entrypoint").glob("*.envsh")
    read = {name for step in steps for name in re.findall(r"\$\{(\w+)", step.read_text())}
    assert set(values["data"]) <= used | read, set(values["data"]) - used - read


def test_nginx_needs_no_docker_dns_in_kubernetes(rendered: dict[str, list[Manifest]]) -> None:
    for target in TARGETS:
        (values,) = find(rendered[target], "ConfigMap", "nginx-template-values")
        data = values["data"]
        assert "127.0.0.11" not in data["NGINX_RESOLVER"]
        for upstream in ("AUTH_SERVICE_SERVERS", "GRAPH_SERVICE_SERVERS"):
            re_resolves = " resolve" in data[upstream]
            assert not re_resolves or data["NGINX_RESOLVER"].strip(), upstream
