"""The graph-service application factory: every collaborator is built here, once, and passed in."""

from __future__ import annotations

import os
import sys

from flask import Flask

from graph_service import graph_routes, graph_unavailable, json_errors, no_store
from graph_service.allowlist import GraphAllowlist, parse_allowlist
from graph_service.gateway import GraphGateway
from graph_service.graph_client import GraphClient, RetryPolicy
from graph_service.graph_routes import SignedInUsers
from graph_service.graph_transport import GraphTransport
from graph_service.on_behalf_of import OnBehalfOfTokens
from graph_service.settings import GraphSettings
from signin_core.identity.clouds import is_b2c_user_flow
from signin_core.resources import build_shared_resources
from signin_core.settings import GUNICORN_BOOT_ERROR, load_settings_or_exit
from signin_core.web import metrics as service_metrics
from signin_core.web.health import health_blueprint
from signin_core.web.redirects import init_relative_redirects
from signin_core.web.request_logging import configure_json_logging, init_request_logging
from signin_core.web.tracing import Tracing, build_tracing


def create_app(settings: GraphSettings | None = None, tracing: Tracing | None = None) -> Flask:
    """Build graph-service; with no settings or tracing given, read them from the environment."""
    if settings is None:
        settings = load_settings_or_exit(GraphSettings, "graph-service")
    if tracing is None:
        tracing = build_tracing("graph-service", os.environ)
    allowlist = _allowlist_or_exit(settings)
    configure_json_logging("graph-service")
    app = Flask(__name__)
    init_request_logging(app)
    init_relative_redirects(app)
    metrics = service_metrics.build_metrics()
    service_metrics.init_app(app, metrics)
    app.config.update(MAX_CONTENT_LENGTH=1024 * 1024)
    app.url_map.merge_slashes = False  # `//host` in a Graph path is refused, not redirected
    resources = build_shared_resources(settings, metrics, tracing)
    app.register_blueprint(health_blueprint({"redis": resources.store.ping}))
    graph_transport = GraphTransport.for_origin_of(settings.graph_base_url, resources.http)
    tracing.trace_http_calls(graph_transport, "Graph")
    gateway = GraphGateway(
        tokens=resources.tokens,
        client=GraphClient(
            graph_transport,
            settings.graph_base_url,
            RetryPolicy(
                max_retries=settings.graph_max_retries,
                total_deadline_seconds=settings.graph_retry_deadline_seconds,
            ),
            on_retry=metrics.graph_retries.inc,
        ),
        allowlist=allowlist,
        metrics=metrics,
        max_pages=settings.graph_max_pages,
        max_items=settings.graph_max_items,
        on_behalf_of=OnBehalfOfTokens(
            resources.store, resources.cipher, resources.clients, client_id=settings.client_id
        ),
    )
    signed_in = SignedInUsers(resources.assertions, grant_port=settings.grant_port)
    if is_b2c_user_flow(settings.authority):
        graph_unavailable.init_app(app)
    graph_routes.init_app(app, gateway, signed_in)
    json_errors.init_app(app, metrics)
    no_store.init_app(app)
    tracing.init_app(app)
    return app


def _allowlist_or_exit(settings: GraphSettings) -> GraphAllowlist:
    """GRAPH_ALLOWLIST parsed; if it does not parse, say why and stop the gunicorn server."""
    try:
        return parse_allowlist(settings.graph_allowlist)
    except ValueError as error:
        print(
            f"graph-service cannot start, fix these environment variables:\n"
            f"  GRAPH_ALLOWLIST: {error}",
            file=sys.stderr,
            flush=True,
        )
        raise SystemExit(GUNICORN_BOOT_ERROR) from None
