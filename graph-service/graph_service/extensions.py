"""Typed access to graph-service's per-process state."""

from __future__ import annotations

from graph_service.settings import GraphSettings
from signin_state.service_state import ServiceState, current_service_state


def service_state() -> ServiceState[GraphSettings]:
    """Return graph-service's settings and resources."""
    return current_service_state()
