"""The graph-service application factory."""

from __future__ import annotations

from flask import Flask

from graph_service import graph_batch, graph_calls
from graph_service.extensions import attach_gateway
from graph_service.json_errors import register_json_errors
from graph_service.settings import GraphSettings
from signin_state.health import health_blueprint
from signin_state.metrics import init_metrics
from signin_state.request_logging import configure_json_logging, init_request_logging
from signin_state.service_state import attach_service_state
from signin_state.settings import load_settings_or_exit


def create_app(settings: GraphSettings | None = None) -> Flask:
    """Build graph-service; with no settings given, read them from the environment."""
    if settings is None:
        settings = load_settings_or_exit(GraphSettings, "graph-service")
    configure_json_logging("graph-service")
    app = Flask(__name__)
    init_request_logging(app)
    metrics = init_metrics(app)
    app.config.update(MAX_CONTENT_LENGTH=1024 * 1024)
    app.url_map.merge_slashes = False  # `//host` in a Graph path is refused, not redirected
    state = attach_service_state(app, settings)
    app.register_blueprint(health_blueprint({"redis": state.resources.store.ping}))
    attach_gateway(app, state, metrics)
    app.register_blueprint(graph_batch.blueprint)
    app.register_blueprint(graph_calls.blueprint)
    register_json_errors(app)
    return app
