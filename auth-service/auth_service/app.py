"""The auth-service application factory."""

from __future__ import annotations

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from auth_service.service import AuthService
from auth_service.sessions import SealedSessionInterface
from auth_service.settings import AuthSettings
from signin_core.resources import build_shared_resources
from signin_core.settings import load_settings_or_exit
from signin_core.web.metrics import init_metrics
from signin_core.web.redirects import init_relative_redirects
from signin_core.web.request_logging import configure_json_logging, init_request_logging


def create_app(settings: AuthSettings | None = None) -> Flask:
    """Build auth-service; with no settings given, read them from the environment."""
    if settings is None:
        settings = load_settings_or_exit(AuthSettings, "auth-service")
    configure_json_logging("auth-service")
    app = Flask(__name__)
    init_request_logging(app)
    init_relative_redirects(app)
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
    resources = build_shared_resources(settings, metrics)
    sessions = SealedSessionInterface(
        app,
        resources.store,
        resources.cipher,
        idle_seconds=settings.session_idle_seconds,
        max_seconds=settings.session_max_seconds,
    )
    AuthService(
        settings=settings, resources=resources, sessions=sessions, metrics=metrics
    ).init_app(app)
    return app
