"""The interactive part of authorization: choosing an account, consent, issuing the code."""

from __future__ import annotations

import time

from werkzeug.wrappers import Response

from ms_emulator.aad_errors import AadError
from ms_emulator.authorize_request import EMULATOR_FIELDS, AuthorizeRequest, PageError
from ms_emulator.authorize_responses import deliver, deliver_error
from ms_emulator.browser_sessions import BrowserSession, public_session_id
from ms_emulator.directory_models import User
from ms_emulator.grants import CodeRecord, DelegatedGrant
from ms_emulator.pages import hidden_fields, render_page
from ms_emulator.personal_accounts import account_refusal, is_personal
from ms_emulator.scopes import describe_scope
from ms_emulator.second_factor import Authentication
from ms_emulator.state import current_state
from ms_emulator.token_issuer import client_info

MAX_LISTED_ACCOUNTS = 50


def sign_in_page(request: AuthorizeRequest, session: BrowserSession | None) -> Response:
    """The account picker: a big button per user (the first 50; a UPN box for the rest)."""
    hint = (request.get("login_hint") or "").lower()
    signed_in = session.accounts if session else {}
    users = current_state().directory.users(
        request.tenant.tenant.id if request.tenant.tenant else None
    )
    accounts = [
        {
            "upn": u.upn,
            "display_name": u.display_name,
            "signed_in": u.id in signed_in,
            "hinted": bool(hint) and u.upn.lower() == hint,
        }
        for u in users
        if u.enabled and request.tenant.admits(u.tenant_id)
    ]
    accounts.sort(key=lambda a: (not a["hinted"], not a["signed_in"]))
    return render_page(
        "signin.html",
        app_name=request.app.display_name,
        accounts=accounts[:MAX_LISTED_ACCOUNTS],
        unlisted=max(0, len(accounts) - MAX_LISTED_ACCOUNTS),
        hidden=hidden_fields(request.params, EMULATOR_FIELDS),
    )


def chosen_user(request: AuthorizeRequest, username: str) -> User:
    """The user picked on the sign-in page, checked like Entra checks a sign-in."""
    user = current_state().directory.user(username)
    tenant_name = request.tenant.tenant.domain if request.tenant.tenant else "emulated"
    if user is None:
        raise PageError(
            AadError(
                "invalid_request",
                50034,
                f"The user account {username} does not exist in the '{tenant_name}' directory.",
            )
        )
    refusal = account_refusal(request.app, user)
    if refusal is not None:
        raise PageError(refusal)
    own_tenant = (
        user.tenant_id == request.app.tenant_id
        or request.app.is_multi_tenant
        or is_personal(user.tenant_id)
    )
    if not request.tenant.admits(user.tenant_id) or not own_tenant:
        raise PageError(
            AadError(
                "invalid_request",
                50020,
                f"User account '{user.upn}' from "
                "identity provider does not exist in tenant and cannot access "
                f"the application '{request.app.client_id}'.",
            )
        )
    if not user.enabled:
        raise PageError(AadError("invalid_request", 50057, "The user account is disabled."))
    return user


def session_user(request: AuthorizeRequest, session: BrowserSession | None) -> User | None:
    """The single signed-in account this request can use without asking, if any."""
    if session is None:
        return None
    directory = current_state().directory
    users = [u for u in (directory.user(i) for i in session.accounts) if u is not None]
    users = [u for u in users if request.tenant.admits(u.tenant_id) and u.enabled]
    hint = (request.get("login_hint") or "").lower()
    if hint:
        users = [u for u in users if u.upn.lower() == hint]
    if len(users) != 1:
        return None
    needed = request.claims.min_auth_time
    return None if needed and session.accounts[users[0].id] < needed else users[0]


def missing_consent(request: AuthorizeRequest, user: User) -> set[str]:
    """Requested scopes that neither the user nor an admin has consented to."""
    consented = current_state().directory.consented_scopes(request.app.client_id, user.id)
    return set(request.scopes.canonical) - consented


def consent_page(request: AuthorizeRequest, user: User, scopes: set[str]) -> Response:
    """The consent prompt listing what the app asks for."""
    hidden = hidden_fields(request.params, EMULATOR_FIELDS) | {"username": user.upn}
    lines = [describe_scope(s) for s in sorted(scopes or request.scopes.canonical)]
    return render_page(
        "consent.html",
        app_name=request.app.display_name,
        upn=user.upn,
        scope_lines=lines,
        hidden=hidden,
    )


def issue_code(
    request: AuthorizeRequest,
    user: User,
    auth_time: int,
    session_id: str,
    authentication: Authentication | None = None,
) -> Response:
    """Store a code for user (with what the sign-in proved) and send it to the redirect URI."""
    proved = authentication or Authentication()
    state = current_state()
    state.browser_sessions.note_app(session_id, user.id, request.app.client_id)
    public_sid = public_session_id(session_id)
    challenge = request.get("code_challenge")
    record = CodeRecord(
        grant=DelegatedGrant(
            client_id=request.app.client_id,
            user_id=user.id,
            tenant_id=user.tenant_id,
            scopes=request.scopes.canonical,
            full_form=request.scopes.full_form,
            auth_time=auth_time,
            session_id=public_sid,
            acrs=proved.acrs,
            amr=proved.amr,
        ),
        redirect_uri=request.redirect_uri,
        nonce=request.get("nonce"),
        code_challenge=challenge,
        code_challenge_method=request.get("code_challenge_method")
        or ("plain" if challenge else None),
        expires_at=time.time() + state.settings.auth_code_lifetime,
    )
    parameters = {"code": state.codes.issue(record), "session_state": public_sid}
    if request.get("client_info") == "1":
        parameters["client_info"] = client_info(user)
    return deliver(request, parameters)


def denied(request: AuthorizeRequest) -> Response:
    """The error the client gets when the user cancels consent."""
    return deliver_error(
        request, AadError("access_denied", 65004, "User declined to consent to access the app.")
    )
