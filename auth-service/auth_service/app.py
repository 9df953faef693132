"""The auth-service application factory."""

from __future__ import annotations

import os
from urllib.parse import urlsplit

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from auth_service.app_principal import AppPrincipalTokens
from auth_service.authority_keys import AuthorityKeys
from auth_service.bearer_tokens import BearerTokenValidator
from auth_service.group_memberships import GroupMemberships
from auth_service.service import AuthService
from auth_service.session_index import SessionIndex
from auth_service.sessions import SealedSessionInterface
from auth_service.settings import AuthSettings
from auth_service.sign_in_flows import SignInFlows
from signin_core.resources import build_shared_resources
from signin_core.settings import load_settings_or_exit
from signin_core.store.keyed_names import KeyedNames
from signin_core.tokens.sign_ins import UserSignIns
from signin_core.web.metrics import init_metrics
from signin_core.web.redirects import init_relative_redirects
from signin_core.web.request_logging import configure_json_logging, init_request_logging
from signin_core.web.tracing import Tracing, build_tracing


def create_app(settings: AuthSettings | None = None, tracing: Tracing | None = None) -> Flask:
    """Build auth-service; with no settings or tracing given, read them from the environment."""
    if settings is None:
        settings = load_settings_or_exit(AuthSettings, "auth-service")
    if tracing is None:
        tracing = build_tracing("auth-service", os.environ)
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
        # URLs are built for the public origin, never for the Host a client sent: werkzeug
        # cannot bind its URL map to a name it cannot encode (a DNS label over 63 characters),
        # and every page then failed to build its stylesheet link (a 500, not even logged).
        SERVER_NAME=urlsplit(settings.public_url).netloc,
        SESSION_COOKIE_NAME=settings.session_cookie,
        SESSION_COOKIE_SECURE=settings.secure_cookies,
        MAX_CONTENT_LENGTH=64 * 1024,
    )
    resources = build_shared_resources(settings, metrics, tracing)
    sign_ins = UserSignIns(resources.store, lifetime_seconds=settings.session_max_seconds)
    names = KeyedNames(settings.encryption_key_texts())
    session_index = SessionIndex(
        resources.store,
        resources.cipher,
        names,
        idle_seconds=settings.session_idle_seconds,
        max_seconds=settings.session_max_seconds,
    )
    sessions = SealedSessionInterface(
        app,
        resources.store,
        resources.cipher,
        names,
        sign_ins,
        idle_seconds=settings.session_idle_seconds,
        max_seconds=settings.session_max_seconds,
        index=session_index,
    )
    flows = SignInFlows(
        resources.cipher, cookie_name=settings.sign_in_flows_cookie, secure=settings.secure_cookies
    )
    AuthService(
        settings=settings,
        resources=resources,
        sessions=sessions,
        sign_ins=sign_ins,
        flows=flows,
        policy=settings.route_policy,
        groups=GroupMemberships(
            resources.tokens,
            resources.http,
            graph_base_url=settings.graph_base_url,
            scope=settings.group_overage_scope,
        ),
        metrics=metrics,
        principals=AppPrincipalTokens(
            settings.app_principal_keys(),
            issuer=settings.public_url,
            audience=settings.principal_audience,
        ),
        session_index=session_index,
        bearer_tokens=BearerTokenValidator(
            AuthorityKeys(
                resources.http,
                settings.authority,
                refresh_seconds=settings.api_keys_refresh_seconds,
            ),
            audiences=settings.bearer_audiences,
            required_scope=settings.api_scope,
            app_roles=settings.bearer_app_roles,
            allowed_tenants=settings.tenant_allowlist,
        ),
    ).init_app(app)
    tracing.trace_view(app, "pages.session_check", "session check")
    tracing.init_app(app)
    return app
