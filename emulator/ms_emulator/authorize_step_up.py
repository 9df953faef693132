"""The second-factor step of /authorize, when a claims request asks for step-up."""

from __future__ import annotations

from collections.abc import Mapping

from werkzeug.wrappers import Response

from ms_emulator.aad_errors import AadError
from ms_emulator.authorize_request import EMULATOR_FIELDS, AuthorizeRequest
from ms_emulator.authorize_responses import deliver_error
from ms_emulator.directory_models import User
from ms_emulator.pages import hidden_fields, render_page
from ms_emulator.second_factor import (
    FAIL_WITHOUT_CONTEXT,
    Authentication,
    authentication_for,
    needs_second_factor,
)
from ms_emulator.state import current_state

VERIFY = "verify"
CANCEL = "cancel"


def step_up(
    request: AuthorizeRequest, user: User, session_id: str, params: Mapping[str, str]
) -> Response | Authentication:
    """What the sign-in proves (acrs, amr), or the page or error that comes first."""
    factors = current_state().second_factors
    if factors.done(session_id, user.id) or not needs_second_factor(request.claims):
        return authentication_for(
            request.claims, second_factor_done=factors.done(session_id, user.id)
        )
    if request.prompt == "none":
        return deliver_error(
            request,
            AadError(
                "interaction_required",
                50076,
                "Due to a configuration change made by your administrator, or because you "
                "moved to a new location, you must use multi-factor authentication to access "
                f"'{request.app.client_id}'.",
            ),
        )
    answer = params.get("second_factor")
    if answer not in (VERIFY, CANCEL):
        return _second_factor_page(request, user)
    if answer == VERIFY and not factors.complete(session_id, user.id):
        if factors.failure(user.id) == FAIL_WITHOUT_CONTEXT:
            return authentication_for(request.claims, second_factor_done=False)
        answer = CANCEL
    if answer == CANCEL:
        return deliver_error(
            request,
            AadError(
                "access_denied",
                500121,
                "Authentication failed during strong authentication request.",
            ),
        )
    return authentication_for(request.claims, second_factor_done=True)


def _second_factor_page(request: AuthorizeRequest, user: User) -> Response:
    """The "verify your identity" page: one button stands for the second factor."""
    hidden = hidden_fields(request.params, EMULATOR_FIELDS) | {"username": user.upn}
    return render_page(
        "second_factor.html",
        app_name=request.app.display_name,
        upn=user.upn,
        available=current_state().second_factors.available(user.id),
        hidden=hidden,
    )
