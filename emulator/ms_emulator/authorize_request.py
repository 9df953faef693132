"""Parsing and checking an authorization request before any user interaction."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from ms_emulator.aad_errors import AadError, invalid_request
from ms_emulator.claims_request import ClaimsRequest, parse_claims
from ms_emulator.directory_models import AppRegistration
from ms_emulator.redirect_uris import is_registered
from ms_emulator.scopes import ScopeError, ScopeRequest, parse_scopes
from ms_emulator.state import current_state
from ms_emulator.tenant_resolution import TenantScope, resolve_tenant

EMULATOR_FIELDS = ("username", "consent", "second_factor")
PROMPTS = ("login", "select_account", "consent", "none")
RESPONSE_MODES = ("query", "fragment", "form_post")


class PageError(Exception):
    """An error shown on an HTML page because redirecting is not safe."""

    def __init__(self, error: AadError) -> None:
        super().__init__(error.summary)
        self.error = error


class RedirectError(Exception):
    """An error sent back to the (validated) redirect URI of request."""

    def __init__(self, error: AadError, request: AuthorizeRequest) -> None:
        super().__init__(error.summary)
        self.error = error
        self.request = request


@dataclass(frozen=True)
class AuthorizeRequest:
    """A checked authorization request."""

    params: Mapping[str, str]
    tenant: TenantScope
    app: AppRegistration
    redirect_uri: str
    response_mode: str
    scopes: ScopeRequest
    claims: ClaimsRequest
    prompt: str | None

    def get(self, name: str) -> str | None:
        """A raw request parameter (None when absent or empty)."""
        return self.params.get(name) or None


def _page_error(code: int, message: str, error: str = "invalid_request") -> PageError:
    return PageError(AadError(error, code, message))


def _checked_app(params: Mapping[str, str], tenant: TenantScope) -> AppRegistration:
    client_id = params.get("client_id", "").strip()
    if not client_id:
        raise _page_error(
            900144, "The request body must contain the following parameter: 'client_id'."
        )
    app = current_state().directory.app(client_id)
    if app is None or not tenant.admits_app(app):
        directory_name = tenant.tenant.display_name if tenant.tenant else tenant.segment
        raise _page_error(
            700016,
            f"Application with identifier '{client_id}' was not found in "
            f"the directory '{directory_name}'. This can happen if the application "
            "has not been installed by the administrator of the tenant or consented "
            "to by any user in the tenant. You may have sent your authentication "
            "request to the wrong tenant.",
            "unauthorized_client",
        )
    return app


def parse_authorize_request(segment: str, params: Mapping[str, str]) -> AuthorizeRequest:
    """Check the request; raise PageError or RedirectError like Entra."""
    try:
        tenant = resolve_tenant(segment)
    except AadError as error:
        raise PageError(error) from None
    app = _checked_app(params, tenant)
    redirect_uri = params.get("redirect_uri") or (app.redirect_uris[:1] or [""])[0]
    if not is_registered(redirect_uri, (*app.redirect_uris, *app.spa_redirect_uris)):
        raise _page_error(
            50011,
            f"The redirect URI '{redirect_uri}' specified in the request "
            "does not match the redirect URIs configured for the application "
            f"'{app.client_id}'. Make sure the redirect URI sent in the request "
            "matches one added to your application in the Azure portal.",
        )
    response_mode = params.get("response_mode") or "query"
    partial = AuthorizeRequest(
        params,
        tenant,
        app,
        redirect_uri,
        response_mode if response_mode in RESPONSE_MODES else "query",
        ScopeRequest(frozenset(), frozenset(), False, False),
        ClaimsRequest(),
        None,
    )
    try:
        return _with_checked_options(partial)
    except AadError as error:
        raise RedirectError(error, partial) from None


def _with_checked_options(partial: AuthorizeRequest) -> AuthorizeRequest:
    """Check the parameters whose errors may be redirected."""
    params = partial.params
    if (params.get("response_mode") or "query") not in RESPONSE_MODES:
        raise invalid_request(
            900144, "The 'response_mode' parameter must be query, fragment or form_post."
        )
    if params.get("response_type", "") != "code":
        raise AadError(
            "unsupported_response_type",
            700054,
            f"response_type "
            f"'{params.get('response_type', '')}' is not supported by the emulator; "
            "use the authorization code flow (response_type=code).",
        )
    if not params.get("scope", "").strip():
        raise invalid_request(
            900144, "The request body must contain the following parameter: 'scope'."
        )
    try:
        scopes = parse_scopes(params["scope"], current_state().directory.exposed_api)
    except ScopeError as error:
        raise AadError("invalid_scope", error.code, str(error)) from None
    method = params.get("code_challenge_method") or (
        "plain" if params.get("code_challenge") else None
    )
    if method not in (None, "plain", "S256"):
        raise invalid_request(501491, "Invalid code_challenge_method; use S256 or plain.")
    prompt = params.get("prompt") or None
    if prompt is not None and prompt not in PROMPTS:
        raise invalid_request(
            90023,
            f"Invalid prompt '{prompt}'; the emulator supports "
            "login, select_account, consent and none.",
        )
    return AuthorizeRequest(
        params,
        partial.tenant,
        partial.app,
        partial.redirect_uri,
        partial.response_mode,
        scopes,
        parse_claims(params.get("claims")),
        prompt,
    )
