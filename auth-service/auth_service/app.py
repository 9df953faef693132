"""The auth-service application factory."""

from __future__ import annotations

from flask import Flask, Response, request, session
from flask.typing import ResponseReturnValue
from werkzeug.middleware.proxy_fix import ProxyFix

from auth_service import pages, sign_in
from auth_service.error_pages import register_error_pages
from auth_service.sessions import ServerSession, ServerSessionInterface
from auth_service.settings import AuthSettings
from signin_state.errors import StoreUnavailableError
from signin_state.health import health_blueprint
from signin_state.metrics import init_metrics
from signin_state.request_logging import configure_json_logging, init_request_logging
from signin_state.service_state import attach_service_state
from signin_state.settings import load_settings_or_exit

ENDPOINTS_WITHOUT_SESSION = {"health.healthz", "health.readyz", "static"}


def create_app(settings: AuthSettings | None = None) -> Flask:
    """Build auth-service; with no settings given, read them from the environment."""
    if settings is None:
        settings = load_settings_or_exit(AuthSettings, "auth-service")
    configure_json_logging("auth-service")
    app = Flask(__name__)
    init_request_logging(app)
    metrics = init_metrics(app)
    hops = settings.forwarded_hops
    if hops:
        behind_proxies = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
        app.wsgi_app = behind_proxies  # type: ignore[method-assign]
    app.config.update(
        SESSION_COOKIE_NAME=settings.session_cookie_name,
        SESSION_COOKIE_SECURE=settings.secure_cookies,
        MAX_CONTENT_LENGTH=64 * 1024,
    )
    state = attach_service_state(app, settings, metrics)
    app.session_interface = ServerSessionInterface(
        state.resources.store,
        state.resources.cipher,
        idle_seconds=settings.session_idle_seconds,
        max_seconds=settings.session_max_seconds,
    )
    app.before_request(_require_session_store)
    app.after_request(_not_stored_by_default)
    app.register_blueprint(health_blueprint({"redis": state.resources.store.ping}))
    app.register_blueprint(pages.blueprint)
    sign_in.register_sign_in(app, settings.redirect_path)
    register_error_pages(app)
    return app


def _require_session_store() -> ResponseReturnValue | None:
    """Refuse requests that need the session while its store is down."""
    if request.endpoint in ENDPOINTS_WITHOUT_SESSION:
        return None
    if isinstance(session, ServerSession) and session.store_unavailable:
        if request.endpoint == "pages.session_check":
            return "", 403, {"X-Auth-Unavailable": "store"}
        raise StoreUnavailableError("session store unavailable")
    return None


def _not_stored_by_default(response: Response) -> Response:
    """Pages show private data: no browser or proxy keeps them (static files excepted)."""
    if request.endpoint != "static":
        response.headers.setdefault("Cache-Control", "no-store")
    return response
