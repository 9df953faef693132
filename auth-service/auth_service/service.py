"""auth-service's collaborators, built once by create_app and handed to the routes."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Concatenate, ParamSpec, TypeVar

from flask import Flask, Response, request, session
from flask.typing import ResponseReturnValue

from auth_service import easy_auth, error_pages, front_channel_logout, pages, session_admin, sign_in
from auth_service.app_principal import AppPrincipalTokens
from auth_service.bearer_tokens import BearerTokenValidator
from auth_service.group_memberships import GroupMemberships
from auth_service.route_policy import RoutePolicy
from auth_service.session_index import SessionIndex
from auth_service.sessions import SealedSessionInterface, StoredSession
from auth_service.settings import AuthSettings
from auth_service.sign_in_flows import SignInFlows
from signin_core.errors import StoreUnavailableError
from signin_core.resources import SharedResources
from signin_core.tokens.sign_ins import UserSignIns
from signin_core.web.health import health_blueprint
from signin_core.web.metrics import ServiceMetrics

ENDPOINTS_WITHOUT_SESSION = {
    "health.healthz",
    "health.readyz",
    "static",
    "pages.jwks",
    front_channel_logout.ENDPOINT,  # answers 200 whatever happens (the identity platform's)
}
P = ParamSpec("P")
R = TypeVar("R")


@dataclass(frozen=True)
class AuthService:
    """Settings, shared resources (token caches, MSAL clients, assertions), sessions, users'
    sign-ins, the sign-ins in progress, metrics, the app's signed principals, and the
    validator of API clients' bearer tokens."""

    settings: AuthSettings
    resources: SharedResources
    sessions: SealedSessionInterface
    sign_ins: UserSignIns
    flows: SignInFlows
    policy: RoutePolicy
    groups: GroupMemberships
    metrics: ServiceMetrics
    principals: AppPrincipalTokens
    bearer_tokens: BearerTokenValidator
    session_index: SessionIndex

    def init_app(self, app: Flask) -> None:
        """Install the sessions, the routes with their collaborators, and the error pages."""
        app.session_interface = self.sessions
        app.before_request(_require_session_store)
        app.after_request(_not_stored_by_default)
        app.register_blueprint(health_blueprint({"redis": self.resources.store.ping}))
        pages.init_app(app, self)
        sign_in.init_app(app, self)
        easy_auth.init_app(app)
        front_channel_logout.init_app(app, self)
        session_admin.init_app(app, self)
        error_pages.init_app(app, self.metrics)

    def bind(self, view: Callable[Concatenate[AuthService, P], R]) -> Callable[P, R]:
        """Return view with this service handed in as its first argument."""

        @wraps(view)
        def bound(*args: P.args, **kwargs: P.kwargs) -> R:
            return view(self, *args, **kwargs)

        return bound


def _require_session_store() -> ResponseReturnValue | None:
    """Refuse requests that need the session while its store is down."""
    if request.endpoint in ENDPOINTS_WITHOUT_SESSION:
        return None
    if isinstance(session, StoredSession) and session.store_unavailable:
        if request.endpoint == "pages.session_check":
            return "", 403, {"X-Auth-Unavailable": "store"}
        raise StoreUnavailableError("session store unavailable")
    return None


def _not_stored_by_default(response: Response) -> Response:
    """Pages show private data: no browser or proxy keeps them (static files excepted)."""
    if request.endpoint != "static":
        response.headers.setdefault("Cache-Control", "no-store")
    return response
