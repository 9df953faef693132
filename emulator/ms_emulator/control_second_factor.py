"""Control-API route making a user able or unable to complete the second factor (step-up)."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, request

from ms_emulator.second_factor import FAIL_WITH_ERROR, FAILURE_MODES
from ms_emulator.state import current_state


def register_second_factor_control_routes(blueprint: Blueprint) -> None:
    """Add POST /_control/users/<user>/second-factor {"available": true|false}, and, for an
    unavailable one, "failure": "error" (the default) or "without_context"."""

    @blueprint.post("/users/<user_ref>/second-factor")
    def second_factor(user_ref: str) -> Response | tuple[Response, int]:
        """Let a user complete the second factor, or make every attempt of theirs fail."""
        state = current_state()
        user = state.directory.user(user_ref)
        if user is None:
            return jsonify({"error": f"no user {user_ref}"}), 404
        body = request.get_json(silent=True)
        if not isinstance(body, dict) or not isinstance(body.get("available"), bool):
            raise ValueError('the request body must be {"available": true} or {"available": false}')
        failure = body.get("failure", FAIL_WITH_ERROR)
        if failure not in FAILURE_MODES:
            raise ValueError(f"failure must be one of {', '.join(FAILURE_MODES)}")
        state.second_factors.set_available(user.id, body["available"], failure)
        return jsonify({"user": user.upn, "available": state.second_factors.available(user.id)})
