"""auth-service settings, read from the environment."""

from __future__ import annotations

import re
from typing import Any

from pydantic import Field, SecretStr, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError

from auth_service.app_principal import SigningKey, development_signing_key, parse_signing_keys
from auth_service.route_policy import RoutePolicy
from signin_core.settings import IdentitySettings


class AuthSettings(IdentitySettings):
    """Everything auth-service needs to know."""

    public_url: str = "http://localhost:5000"
    redirect_path: str = "/getAToken"
    login_scopes: str = "User.ReadBasic.All"
    # nginx is given the same name (it keeps this cookie from the protected app) and puts it
    # in a regular expression: letters, digits, `_` and `-` only. On https the cookies are
    # named with the `__Host-` prefix in front of it (see session_cookie).
    session_cookie_name: str = "signin_session"
    # How many proxies in front of auth-service add X-Forwarded-For/-Proto/-Host values it
    # should believe. Behind this stack's nginx it is 1 however many balancers stand in front:
    # nginx replaces those headers with one value of its own (see docs/edge.md).
    forwarded_hops: int = Field(default=1, ge=0, le=5)
    # Where nginx serves the protected app (APP_PATH), for a link on the home page.
    app_path: str | None = None
    # Which of the app's paths need which app roles or groups (route_policy.py): JSON, in
    # APP_ROUTE_POLICY or a file named by APP_ROUTE_POLICY_FILE. Unset: every signed-in user.
    app_route_policy: str | None = None
    # With a multi-tenant authority (common, organizations): the tenant ids whose users may
    # sign in, comma-separated. Unset: any tenant the authority signs in.
    allowed_tenants: str | None = None
    # Where auth-service reads a user's groups when the ID token has too many to carry
    # (group overage, group_memberships.py), and the delegated permission it asks for that.
    graph_base_url: str = "https://graph.microsoft.com/v1.0"
    group_overage_scope: str = "GroupMember.Read.All"
    # The app's signed principal (app_principal.py): PEM P-256 private keys, newest first;
    # the first signs, all are in the JWKS. Development falls back to a fixed dev-only key.
    app_principal_signing_keys: SecretStr | None = Field(default=None, validate_default=True)
    # The signed principal's `aud`: by default the app's public address (PUBLIC_URL+APP_PATH).
    app_audience: str | None = None
    # The app role (in the ID token's `roles`) whose holders may list and revoke users'
    # sessions through /api/sessions/ (session_admin.py).
    session_admin_role: str = Field(default="Admin", min_length=1, max_length=120)
    # API clients (bearer tokens, bearer_tokens.py): the audiences our API answers to
    # (comma-separated; unset: CLIENT_ID and api://CLIENT_ID), the delegated scope a user's
    # token must carry, and the app roles an app's own token may carry (unset: any role).
    api_audiences: str | None = None
    api_scope: str = "access_as_user"
    api_app_roles: str | None = None
    # How often at most a token naming an unknown key makes us fetch the authority's keys again.
    api_keys_refresh_seconds: int = Field(default=60, ge=1, le=3600)

    @field_validator("public_url")
    @classmethod
    def _public_url_is_origin(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("must be the public origin, e.g. https://app.example.com")
        return value.rstrip("/")

    @field_validator("session_cookie_name")
    @classmethod
    def _session_cookie_name_is_plain(cls, value: str) -> str:
        if not re.fullmatch(r"[A-Za-z0-9_-]{1,64}", value):
            raise ValueError("must be 1 to 64 letters, digits, '_' or '-'")
        return value

    @field_validator("redirect_path")
    @classmethod
    def _redirect_path_is_path(cls, value: str) -> str:
        if not value.startswith("/") or value.startswith("//"):
            raise ValueError("must be a path such as /getAToken")
        return value

    @field_validator("app_route_policy")
    @classmethod
    def _route_policy_is_understood(cls, value: str | None) -> str | None:
        RoutePolicy.parse(value)
        return value

    @field_validator("allowed_tenants")
    @classmethod
    def _tenants_are_ids(cls, value: str | None) -> str | None:
        for tenant in (value or "").split(","):
            if tenant.strip() and not re.fullmatch(r"[0-9A-Za-z.-]{1,100}", tenant.strip()):
                raise ValueError(f"{tenant.strip()[:40]!r} is not a tenant id")
        return value

    @field_validator("api_scope")
    @classmethod
    def _api_scope_is_a_name(cls, value: str) -> str:
        if not re.fullmatch(r"[A-Za-z0-9._-]{1,100}", value.strip()):
            raise ValueError("must be a scope name such as access_as_user (without api://...)")
        return value.strip()

    @field_validator("app_path")
    @classmethod
    def _app_path_is_path(cls, value: str | None) -> str | None:
        if not value:
            return None
        if not value.startswith("/") or value.startswith("//"):
            raise ValueError("must be a path such as /app/")
        return value

    @field_validator("app_principal_signing_keys", mode="before")
    @classmethod
    def _empty_keys_are_unset(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("app_principal_signing_keys")
    @classmethod
    def _signing_keys_are_usable(cls, value: SecretStr | None, info: ValidationInfo) -> Any:
        development = info.data.get("app_env") == "development"
        if value is None:
            if development:
                return None
            raise PydanticCustomError(
                "missing_signing_keys",
                "is not set: give one or more PEM P-256 private keys (see docs/your-app.md)",
            )
        keys = parse_signing_keys(value.get_secret_value())
        if not development and any(k.kid == development_signing_key().kid for k in keys):
            raise PydanticCustomError(
                "development_signing_key", "holds the development-only key outside development"
            )
        return value

    @field_validator("app_audience")
    @classmethod
    def _audience_is_set_or_default(cls, value: str | None) -> str | None:
        return value.strip() or None if value is not None else None

    def app_principal_keys(self) -> list[SigningKey]:
        """The signing keys of the app's principal, newest first (dev-only key in development)."""
        if self.app_principal_signing_keys is None:
            return [development_signing_key()]
        return parse_signing_keys(self.app_principal_signing_keys.get_secret_value())

    @property
    def principal_audience(self) -> str:
        """The app's signed principal's audience: APP_AUDIENCE, else PUBLIC_URL + APP_PATH."""
        return self.app_audience or self.public_url + (self.app_path or "/")

    @property
    def bearer_audiences(self) -> list[str]:
        """The `aud` values a bearer token may carry: API_AUDIENCES, else our client id and
        its default App ID URI."""
        listed = [a.strip() for a in (self.api_audiences or "").split(",") if a.strip()]
        return listed or [self.client_id, f"api://{self.client_id}"]

    @property
    def bearer_app_roles(self) -> list[str]:
        """The app roles an app-only token may carry to be let in (empty: any role)."""
        return [r.strip() for r in (self.api_app_roles or "").split(",") if r.strip()]

    @property
    def redirect_uri(self) -> str:
        """The absolute redirect URI registered with the identity platform."""
        return self.public_url + self.redirect_path

    @property
    def scopes(self) -> list[str]:
        """The Graph scopes requested at sign-in."""
        return self.login_scopes.split()

    @property
    def route_policy(self) -> RoutePolicy:
        """The app's route policy (empty when none is configured)."""
        return RoutePolicy.parse(self.app_route_policy)

    @property
    def tenant_allowlist(self) -> frozenset[str] | None:
        """The tenants whose users may sign in, or None for any."""
        tenants = {t.strip().lower() for t in (self.allowed_tenants or "").split(",") if t.strip()}
        return frozenset(tenants) or None

    @property
    def secure_cookies(self) -> bool:
        """Cookies are Secure whenever the public origin is https."""
        return self.public_url.startswith("https://")

    @property
    def session_cookie(self) -> str:
        """The session cookie's name: `__Host-` + SESSION_COOKIE_NAME on https.

        Browsers accept a `__Host-` cookie only from https, Secure, with Path=/ and no Domain,
        so neither a sibling subdomain nor a plain-http page can plant one.
        """
        name = self.session_cookie_name
        if self.secure_cookies and not name.startswith(("__Host-", "__Secure-")):
            return "__Host-" + name
        return name

    @property
    def sign_in_flows_cookie(self) -> str:
        """The cookie of sign-ins in progress (sign_in_flows.py), named after the session's."""
        return self.session_cookie + "_flows"
