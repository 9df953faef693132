"""The Flask application factory."""

from __future__ import annotations

from flask import Flask, Response, jsonify, request

from ms_emulator import __version__
from ms_emulator.aad_errors import AadError
from ms_emulator.authorize import create_authorize_blueprint
from ms_emulator.b2c import create_b2c_blueprint
from ms_emulator.control import create_control_blueprint
from ms_emulator.cors import init_cors
from ms_emulator.discovery import create_discovery_blueprint
from ms_emulator.graph import create_graph_blueprint
from ms_emulator.graph_errors import GraphError
from ms_emulator.logout import create_logout_blueprint
from ms_emulator.settings import EmulatorSettings
from ms_emulator.state import EXTENSION_KEY, build_state
from ms_emulator.token_endpoint import create_token_blueprint


def _unrouted(status: int) -> Response:
    """404/405 in Graph's envelope under /v1.0, plain JSON elsewhere."""
    if request.path.startswith("/v1.0/"):
        segment = request.path.removeprefix("/v1.0/").split("/")[0]
        return GraphError(
            400 if status == 404 else 405,
            "BadRequest" if status == 404 else "Request_BadRequest",
            f"Resource not found for the segment '{segment}'."
            if status == 404
            else "Method not allowed.",
        ).to_response()
    response = jsonify(
        {"error": "not_found" if status == 404 else "method_not_allowed", "path": request.path}
    )
    response.status_code = status
    return response


def create_app(settings: EmulatorSettings) -> Flask:
    """Build the emulator app with its own in-memory state."""
    app = Flask("ms_emulator", static_folder=None)
    app.json.sort_keys = False  # type: ignore[attr-defined]
    app.extensions[EXTENSION_KEY] = build_state(settings)
    for blueprint in (
        create_discovery_blueprint(),
        create_authorize_blueprint(),
        create_token_blueprint(),
        create_logout_blueprint(),
        create_graph_blueprint(),
        create_control_blueprint(),
        create_b2c_blueprint(),
    ):
        app.register_blueprint(blueprint)
    init_cors(app)

    @app.get("/healthz")
    def healthz() -> Response:
        """Liveness: 200 with a small JSON body."""
        return jsonify({"status": "ok", "service": "ms-emulator", "version": __version__})

    app.register_error_handler(AadError, AadError.to_response)
    app.register_error_handler(404, lambda _error: _unrouted(404))
    app.register_error_handler(405, lambda _error: _unrouted(405))
    return app
