"""The demo-app application factory."""

from __future__ import annotations

from dataclasses import asdict

from flask import Blueprint, Flask, Response, jsonify, render_template, request
from flask.typing import ResponseReturnValue
from flask_sock import Sock

from demo_app.echo import SOCKET_OPTIONS, echo_blueprint
from demo_app.identity import IDENTITY_HEADERS, PRINCIPAL_HEADER, forwarded_user
from demo_app.settings import DemoAppSettings

FORWARDED_HEADERS = ("X-Forwarded-For", "X-Forwarded-Proto", "X-Forwarded-Host", "X-Request-Id")
NOT_ECHOED = {"cookie", "authorization"}


def create_app(settings: DemoAppSettings | None = None) -> Flask:
    """Build demo-app; with no settings given, read them from the environment."""
    settings = settings or DemoAppSettings.from_environment()
    app = Flask(__name__, static_url_path=settings.app_path + "static")
    app.config["SOCK_SERVER_OPTIONS"] = SOCKET_OPTIONS
    app.register_blueprint(_health_blueprint())
    app.register_blueprint(echo_blueprint(settings, Sock()))
    app.register_blueprint(_pages_blueprint(settings))
    app.after_request(_not_stored)
    return app


def _not_stored(response: Response) -> Response:
    """Pages name the user: no browser or proxy keeps them (static files excepted)."""
    if request.endpoint != "static":
        response.headers["Cache-Control"] = "no-store"
    return response


def _wants_json() -> bool:
    return request.accept_mimetypes.best_match(["text/html", "application/json"]) == (
        "application/json"
    )


def _health_blueprint() -> Blueprint:
    blueprint = Blueprint("health", __name__)

    @blueprint.get("/healthz")
    def healthz() -> ResponseReturnValue:
        """Answer 200 while the process serves requests."""
        return jsonify(status="ok")

    return blueprint


def _pages_blueprint(settings: DemoAppSettings) -> Blueprint:
    blueprint = Blueprint("pages", __name__)

    @blueprint.route(settings.app_path, defaults={"rest": ""}, methods=["GET", "POST"])
    @blueprint.route(settings.app_path + "<path:rest>", methods=["GET", "POST"])
    def whoami(rest: str) -> ResponseReturnValue:
        """Show what nginx told the app: as JSON for API clients, else as a page."""
        user = forwarded_user(request.headers)
        # Read the whole body, even unused: a server that answers and closes with part of a
        # request unread resets the connection, and nginx reports that as a 502.
        body_bytes = len(request.get_data(cache=False))
        received = {
            name: value for name, value in request.headers.items() if name.lower() not in NOT_ECHOED
        }
        if _wants_json():
            body = {
                "path": request.full_path.rstrip("?"),
                "user": asdict(user) if user else None,
                "headers": received,
                "cookie_names": sorted(request.cookies),
                "body_bytes": body_bytes,
            }
            return jsonify(body)
        shown = IDENTITY_HEADERS + (PRINCIPAL_HEADER,) + FORWARDED_HEADERS
        return render_template(
            "whoami.html",
            user=user,
            path=request.full_path.rstrip("?"),
            headers=[(name, request.headers.get(name, "")) for name in shown],
            app_path=settings.app_path,
        )

    return blueprint
