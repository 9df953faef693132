"""Typed access to auth-service's per-process state."""

from __future__ import annotations

from auth_service.settings import AuthSettings
from signin_state.service_state import ServiceState, current_service_state


def service_state() -> ServiceState[AuthSettings]:
    """Return auth-service's settings and resources."""
    return current_service_state()
