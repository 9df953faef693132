"""The demo-app application factory."""

from __future__ import annotations

from dataclasses import asdict

from flask import Blueprint, Flask, Response, jsonify, render_template, request
from flask.typing import ResponseReturnValue
from flask_sock import Sock

from demo_app.answers import wants_json
from demo_app.echo import SOCKET_OPTIONS, echo_blueprint
from demo_app.graph_profile import GraphServiceClient, profile_blueprint
from demo_app.identity import IDENTITY_HEADERS, PRINCIPAL_HEADER, forwarded_user
from demo_app.principal_check import PRINCIPAL_JWT_HEADER, PrincipalCheck, PrincipalVerifier
from demo_app.settings import DemoAppSettings

FORWARDED_HEADERS = ("X-Forwarded-For", "X-Forwarded-Proto", "X-Forwarded-Host", "X-Request-Id")
NOT_ECHOED = {"cookie", "authorization"}


def create_app(settings: DemoAppSettings | None = None) -> Flask:
    """Build demo-app; with no settings given, read them from the environment."""
    settings = settings or DemoAppSettings.from_environment()
    app = Flask(__name__, static_url_path=settings.app_path + "static")
    app.config["SOCK_SERVER_OPTIONS"] = SOCKET_OPTIONS
    app.register_blueprint(_health_blueprint())
    graph = GraphServiceClient(settings.graph_service_url) if settings.graph_service_url else None
    app.register_blueprint(profile_blueprint(settings.app_path, graph))
    verifier = None
    if settings.principal is not None:
        verifier = PrincipalVerifier(
            settings.principal.jwks_url,
            issuer=settings.principal.issuer,
            audience=settings.principal.audience,
            cooldown_seconds=settings.principal.cooldown_seconds,
        )
    app.register_blueprint(echo_blueprint(settings, Sock()))
    app.register_blueprint(_pages_blueprint(settings, verifier))
    app.after_request(_not_stored)
    return app


def _not_stored(response: Response) -> Response:
    """Pages name the user: no browser or proxy keeps them (static files excepted)."""
    if request.endpoint != "static":
        response.headers["Cache-Control"] = "no-store"
    return response


def _health_blueprint() -> Blueprint:
    blueprint = Blueprint("health", __name__)

    @blueprint.get("/healthz")
    def healthz() -> ResponseReturnValue:
        """Answer 200 while the process serves requests."""
        return jsonify(status="ok")

    return blueprint


def _refused(check: PrincipalCheck) -> ResponseReturnValue:
    """The answer to a request whose signed principal did not verify: 401 (503: no keys)."""
    if wants_json():
        body = {
            "error": {
                "code": "principal_refused",
                "message": f"The signed principal was refused: {check.reason}.",
                "principal": asdict(check),
            }
        }
        return jsonify(body), check.status
    return render_template("refused.html", check=check), check.status


def _pages_blueprint(settings: DemoAppSettings, verifier: PrincipalVerifier | None) -> Blueprint:
    blueprint = Blueprint("pages", __name__)

    @blueprint.route(settings.app_path, defaults={"rest": ""}, methods=["GET", "POST"])
    @blueprint.route(settings.app_path + "<path:rest>", methods=["GET", "POST"])
    def whoami(rest: str) -> ResponseReturnValue:
        """Show what nginx told the app: as JSON for API clients, else as a page."""
        user = forwarded_user(request.headers)
        # Read the whole body, even unused: a server that answers and closes with part of a
        # request unread resets the connection, and nginx reports that as a 502.
        body_bytes = len(request.get_data(cache=False))
        check = None
        if verifier is not None:
            check = verifier.check(request.headers.get(PRINCIPAL_JWT_HEADER))
            if not check.verified:
                return _refused(check)
        received = {
            name: value for name, value in request.headers.items() if name.lower() not in NOT_ECHOED
        }
        if wants_json():
            body = {
                "path": request.full_path.rstrip("?"),
                "user": asdict(user) if user else None,
                "headers": received,
                "cookie_names": sorted(request.cookies),
                "body_bytes": body_bytes,
                "principal": asdict(check) if check else None,
            }
            return jsonify(body)
        shown = IDENTITY_HEADERS + (PRINCIPAL_HEADER, PRINCIPAL_JWT_HEADER) + FORWARDED_HEADERS
        return render_template(
            "whoami.html",
            user=user,
            path=request.full_path.rstrip("?"),
            headers=[(name, request.headers.get(name, "")) for name in shown],
            app_path=settings.app_path,
            check=check,
        )

    return blueprint
