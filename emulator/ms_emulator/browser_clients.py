"""Serving browser clients (single-page apps): where the browser reaches the emulator, the
issuer that stays the same however it was reached, SPA redirect URIs and their rules.

A request is a browser's when it came through the development edge's `/_emulator/` location,
which sets X-Forwarded-Prefix. Discovery then names endpoints under the address the browser
used, and the tokens minted for it carry EMULATOR_ISSUER_URL's issuer: the emulator's own
back-channel address, which the services' AUTHORITY names, so that a token is the same
whichever way its client reached the emulator.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Mapping

from flask import request

from ms_emulator.aad_errors import AadError, invalid_request
from ms_emulator.directory_models import AppRegistration
from ms_emulator.grants import CodeRecord, DelegatedGrant
from ms_emulator.redirect_uris import is_registered
from ms_emulator.state import current_state

SPA_REFRESH_TOKEN_LIFETIME = 24 * 3600  # Entra's, counted from the first sign-in


def forwarded_prefix() -> str:
    """The path prefix the development edge serves the emulator under ('' when direct)."""
    prefix = request.headers.get("X-Forwarded-Prefix", "").strip().rstrip("/")
    return prefix if prefix.startswith("/") else ""


def reached_by_browser() -> bool:
    """True when this request came through the edge's browser location."""
    return bool(forwarded_prefix())


def browser_is_here() -> bool:
    """True when a browser sent this request to the address it came to: through the edge,
    or straight to the emulator in a cross-origin request (an SPA's, with an Origin header).
    Every URL discovery names is then where this request came, the authorize page included."""
    return reached_by_browser() or bool(request.headers.get("Origin"))


def _own_root() -> str:
    return request.host_url.rstrip("/")


def endpoint_root() -> str:
    """The root of the URLs discovery names: where this request's client reached us."""
    if not reached_by_browser():
        return _own_root()
    proto = request.headers.get("X-Forwarded-Proto", "").strip().lower()
    scheme = proto if proto in ("http", "https") else request.scheme
    return f"{scheme}://{request.host}{forwarded_prefix()}"


def issuer_root() -> str:
    """The root of the issuer: EMULATOR_ISSUER_URL for browser requests, else our own."""
    configured = current_state().settings.issuer_url
    return configured if configured and reached_by_browser() else _own_root()


def origin_of(uri: str) -> str:
    """scheme://host[:port] of a URI, lower-cased."""
    scheme, _, rest = uri.partition("://")
    return f"{scheme}://{rest.split('/', 1)[0]}".lower()


def spa_origins() -> set[str]:
    """The origins of every registered SPA redirect URI: the only ones CORS admits."""
    return {
        origin_of(uri) for app in current_state().directory.apps() for uri in app.spa_redirect_uris
    }


def is_spa_redirect(app: AppRegistration, redirect_uri: str) -> bool:
    """True when redirect_uri is one of the app's single-page application redirect URIs."""
    return is_registered(redirect_uri, app.spa_redirect_uris)


def require_cross_origin(headers: Mapping[str, str]) -> None:
    """Entra redeems SPA codes and refresh tokens only in a cross-origin (CORS) request."""
    if not headers.get("Origin"):
        raise invalid_request(
            9002327,
            "Tokens issued for the 'Single-Page Application' client-type may only be "
            "redeemed via cross-origin requests.",
        )


def spa_grant(record: CodeRecord, headers: Mapping[str, str]) -> DelegatedGrant:
    """The grant of a code sent to an SPA redirect URI: PKCE and CORS required, and its
    refresh tokens end 24 hours after this sign-in however often they are rotated."""
    require_cross_origin(headers)
    if not record.code_challenge:
        raise AadError(
            "invalid_request",
            9002325,
            "Proof Key for Code Exchange is required for cross-origin authorization code "
            "redemption.",
        )
    return dataclasses.replace(
        record.grant, refresh_expires_at=time.time() + SPA_REFRESH_TOKEN_LIFETIME
    )
