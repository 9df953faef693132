"""Session administration: holders of the admin app role list and revoke users' sessions.

    GET    /api/sessions/<tenant id>/<object id>               the user's live sessions
    DELETE /api/sessions/<tenant id>/<object id>/<session id>  end one of them (204)
    DELETE /api/sessions/<tenant id>/<object id>               end all, and the user's sign-in

JSON only. The caller is the signed-in session (401 without one), or an API client's bearer
token for our API (bearer_tokens.py: checked as at the edge, judged alone, never with the
cookie beside it); its roles must hold SESSION_ADMIN_ROLE (403 otherwise), and it manages
users of its own tenant only. An unsafe method of a session must come from our own origin
(Origin) and say it is an API call (a JSON Content-Type or X-Requested-With), which no
cross-site form can do; a bearer token is no cookie a browser adds by itself. A user is
addressed as Entra addresses them, by tenant and object id; MSAL's account id is
`<oid>.<tid>`.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from functools import wraps
from typing import TYPE_CHECKING, Any

from flask import Blueprint, Flask, jsonify, request, session
from flask.typing import ResponseReturnValue

from auth_service.authority_keys import AuthorityUnavailableError
from auth_service.bearer_tokens import BearerTokenError
from auth_service.session_index import describe
from auth_service.sessions import REFERENCE
from auth_service.signed_in_user import SessionUser

if TYPE_CHECKING:
    from auth_service.service import AuthService

log = logging.getLogger(__name__)
PREFIX = "/api/sessions"
GUID = re.compile(r"^[0-9A-Fa-f]{8}-(?:[0-9A-Fa-f]{4}-){3}[0-9A-Fa-f]{12}$")
REFERENCE_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


def _problem(
    status: int, code: str, message: str, headers: dict[str, str] | None = None
) -> ResponseReturnValue:
    return (
        jsonify({"error": {"code": code, "message": message}}),
        status,
        {"Cache-Control": "no-store", **(headers or {})},
    )


def _unauthenticated() -> ResponseReturnValue:
    return _problem(401, "unauthenticated", "Sign in to manage sessions.")


AdminView = Callable[..., ResponseReturnValue]


def admin_request(view: AdminView) -> AdminView:
    """Call view for the user the URL addresses, once the caller may manage them.

    The caller is a bearer token's principal when the request carries Authorization (refused
    with RFC 6750's challenge when invalid), else the session's user. The view gets `account`,
    the user's MSAL account id, and `own_reference`, the caller's own session (None for a
    token), instead of the URL's tenant and object ids."""

    @wraps(view)
    def checked(
        state: AuthService, tenant_id: str, object_id: str, **kwargs: Any
    ) -> ResponseReturnValue:
        header = request.headers.get("Authorization")
        if header is None:
            user: SessionUser | None = session.get("user")
            if not user:
                return _unauthenticated()
            own_reference = session.get(REFERENCE)
        else:
            caller = _token_caller(state, header)
            if not isinstance(caller, dict):
                return caller
            user, own_reference = caller, None
        refused = _refusal(state, user, tenant_id, object_id, by_token=header is not None)
        if refused is not None:
            return refused
        account = f"{object_id.lower()}.{tenant_id.lower()}"
        return view(state, account=account, own_reference=own_reference, **kwargs)

    return checked


def _token_caller(state: AuthService, header: str) -> SessionUser | ResponseReturnValue:
    """The principal of the request's bearer token, or the answer that refuses it."""
    scheme, _, token = header.partition(" ")
    try:
        if scheme.lower() != "bearer" or not token.strip():
            raise BearerTokenError(
                "the Authorization header is not a bearer token", error="invalid_request"
            )
        principal = state.bearer_tokens.validate(token.strip())
    except BearerTokenError as error:
        code = "forbidden" if error.status == 403 else "invalid_token"
        return _problem(
            error.status,
            code,
            f"The bearer token was refused: {error}.",
            {"WWW-Authenticate": error.challenge()},
        )
    except AuthorityUnavailableError:
        return _problem(503, "unavailable", "Bearer tokens cannot be checked right now.")
    return principal.as_session_user()


def _refusal(
    state: AuthService, user: SessionUser, tenant_id: str, object_id: str, *, by_token: bool
) -> ResponseReturnValue | None:
    """The answer that refuses this request, or None when it may go on."""
    if not GUID.match(tenant_id) or not GUID.match(object_id):
        return _problem(400, "invalid_user", "Address the user by tenant id and object id.")
    if state.settings.session_admin_role not in (user.get("roles") or []):
        return _problem(403, "forbidden", "Managing sessions needs the administrator role.")
    if tenant_id.lower() != str(user.get("tid", "")).lower():
        return _problem(403, "forbidden", "You can manage the sessions of your tenant only.")
    if request.method not in ("GET", "HEAD") and not by_token:
        if request.headers.get("Origin") != _origin(state):
            return _problem(403, "cross_origin", "This request must come from this site.")
        if not request.is_json and not request.headers.get("X-Requested-With"):
            return _problem(
                400, "not_an_api_call", "Send Content-Type: application/json or X-Requested-With."
            )
    return None


def _origin(state: AuthService) -> str:
    return state.settings.public_url


@admin_request
def list_sessions(
    state: AuthService, *, account: str, own_reference: str | None
) -> ResponseReturnValue:
    """The user's live sessions: device, address, sign-in time, last seen, and the caller's."""
    listed = state.session_index.sessions_of(account, state.sign_ins.current(account))
    value = [describe(s, current=s.reference == own_reference) for s in listed]
    return jsonify({"value": value}), 200, {"Cache-Control": "no-store"}


@admin_request
def revoke_session(
    state: AuthService, session_id: str, *, account: str, own_reference: str | None
) -> ResponseReturnValue:
    """End one session of the user: 204, or 404 when the user has no such live session."""
    if not REFERENCE_PATTERN.match(session_id) or not state.session_index.revoke(
        account, session_id
    ):
        return _problem(404, "not_found", "The user has no such session.")
    log.info("an administrator revoked one session")
    return "", 204


@admin_request
def revoke_all(
    state: AuthService, *, account: str, own_reference: str | None
) -> ResponseReturnValue:
    """End every session of the user and their sign-in, as sign-out does (token cache too)."""
    state.sign_ins.end(account)
    state.resources.tokens.delete(account)
    state.session_index.revoke_all(account)
    log.info("an administrator signed a user out everywhere")
    return "", 204


def init_app(app: Flask, state: AuthService) -> None:
    """Install the session administration API."""
    blueprint = Blueprint("session_admin", __name__, url_prefix=PREFIX)
    user_path = "/<tenant_id>/<object_id>"
    blueprint.add_url_rule(user_path, view_func=state.bind(list_sessions), methods=["GET"])
    blueprint.add_url_rule(user_path, view_func=state.bind(revoke_all), methods=["DELETE"])
    blueprint.add_url_rule(
        user_path + "/<session_id>", view_func=state.bind(revoke_session), methods=["DELETE"]
    )
    app.register_blueprint(blueprint)
