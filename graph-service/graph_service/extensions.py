"""Typed access to graph-service's per-process state."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask, current_app

from graph_service.allowlist import GraphAllowlist
from graph_service.graph_client import GraphClient
from graph_service.graph_transport import GraphTransport
from graph_service.settings import GraphSettings
from graph_service.user_clients import UserClients
from signin_state.metrics import ServiceMetrics
from signin_state.service_state import ServiceState, current_service_state

GATEWAY_EXTENSION = "graph_gateway"


@dataclass(frozen=True)
class GraphGateway:
    """The Graph client, allowlist and users' MSAL clients this process reuses for every request."""

    client: GraphClient
    allowlist: GraphAllowlist
    user_clients: UserClients


def service_state() -> ServiceState[GraphSettings]:
    """Return graph-service's settings and resources."""
    return current_service_state()


def attach_gateway(app: Flask, state: ServiceState[GraphSettings], metrics: ServiceMetrics) -> None:
    """Build the Graph client and allowlist once, at start."""
    settings = state.settings
    app.extensions[GATEWAY_EXTENSION] = GraphGateway(
        client=GraphClient(
            GraphTransport.for_origin_of(settings.graph_base_url, state.resources.http),
            settings.graph_base_url,
            settings.retry_policy(),
            on_retry=metrics.graph_retries.inc,
        ),
        allowlist=settings.allowlist(),
        user_clients=UserClients(state.resources.token_caches, state.resources.clients),
    )


def gateway() -> GraphGateway:
    """Return the current app's Graph client and allowlist."""
    found: GraphGateway = current_app.extensions[GATEWAY_EXTENSION]
    return found
