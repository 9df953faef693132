"""The production overlay's public door is a Gateway API HTTPRoute (ingress-nginx reached its
end of maintenance in March 2026), valid against the Gateway API v1 schema; the Ingress
remains a component to choose instead (docs/kubernetes-gateway.md)."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import kubernetes_validate
import pytest

from tests.deploy.gateway_api import GatewayApiValidator
from tests.deploy.kustomize import Manifest, find, render


@pytest.fixture(scope="module")
def validator() -> GatewayApiValidator:
    return GatewayApiValidator.installed()


@pytest.fixture(scope="module")
def route(rendered: dict[str, list[Manifest]]) -> Manifest:
    (found,) = find(rendered["overlays/production"], "HTTPRoute")
    return found


def test_production_routes_through_a_gateway_not_an_ingress(
    rendered: dict[str, list[Manifest]], route: Manifest, validator: GatewayApiValidator
) -> None:
    manifests = rendered["overlays/production"]
    assert find(manifests, "Ingress") == []
    assert validator.problems([route]) == []
    assert route["apiVersion"] == "gateway.networking.k8s.io/v1"
    assert route["metadata"]["namespace"] == "signin-stack"
    (config,) = find(manifests, "ConfigMap", "signin-config")
    assert route["spec"]["hostnames"] == [urlsplit(config["data"]["PUBLIC_URL"]).hostname]
    ((backend,),) = [rule["backendRefs"] for rule in route["spec"]["rules"]]
    (service,) = find(manifests, "Service", backend["name"])
    assert backend["port"] in [port["port"] for port in service["spec"]["ports"]]


def set_in_rule(field: str, value: Any) -> Callable[[Manifest], None]:
    def change(route: Manifest) -> None:
        route["spec"]["rules"][0]["backendRefs"][0][field] = value

    return change


def set_path_type(route: Manifest) -> None:
    route["spec"]["rules"][0]["matches"][0]["path"]["type"] = "Prefix"  # Ingress's word


def set_url_as_hostname(route: Manifest) -> None:
    route["spec"]["hostnames"] = ["https://signin.example.com"]


def drop_gateway_name(route: Manifest) -> None:
    del route["spec"]["parentRefs"][0]["name"]


@pytest.mark.parametrize(
    ("break_route", "named"),
    [
        (set_in_rule("port", "http"), "backendRefs/0/port must be integer"),
        (set_path_type, "path/type must be equal to one of the allowed values"),
        (set_url_as_hostname, "hostnames/0 must match pattern"),
        (drop_gateway_name, "parentRefs/0 must have required property name"),
    ],
)
def test_a_broken_route_is_refused_naming_the_field(
    route: Manifest,
    validator: GatewayApiValidator,
    break_route: Callable[[Manifest], None],
    named: str,
) -> None:
    broken = copy.deepcopy(route)
    break_route(broken)
    (problem,) = validator.problems([broken])
    assert problem.startswith("HTTPRoute/signin-stack: ") and named in problem, problem


def test_the_ingress_component_is_the_alternative(operator_copy: Path) -> None:
    kustomization = operator_copy / "overlays" / "production" / "kustomization.yaml"
    original = kustomization.read_text()
    try:
        kustomization.write_text(
            original.replace("components/gateway-api", "components/ingress-nginx")
        )
        manifests = render(kustomization.parent)
    finally:
        kustomization.write_text(original)
    assert find(manifests, "HTTPRoute") == []
    (ingress,) = find(manifests, "Ingress")
    kubernetes_validate.validate(ingress, kubernetes_validate.latest_version(), strict=True)
    assert ingress["spec"]["rules"][0]["http"]["paths"][0]["backend"]["service"]["name"] == "nginx"
