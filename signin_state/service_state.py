"""The per-process state a service builds at start and reaches from any request."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from flask import Flask, current_app

from signin_state.metrics import ServiceMetrics
from signin_state.resources import SharedResources, build_shared_resources
from signin_state.settings import IdentitySettings

EXTENSION_NAME = "signin_state"
SettingsT = TypeVar("SettingsT", bound=IdentitySettings)


@dataclass(frozen=True)
class ServiceState(Generic[SettingsT]):
    """A service's settings plus its shared resources."""

    settings: SettingsT
    resources: SharedResources


def attach_service_state(
    app: Flask, settings: SettingsT, metrics: ServiceMetrics
) -> ServiceState[SettingsT]:
    """Build the state from settings and attach it to app."""
    state = ServiceState(settings=settings, resources=build_shared_resources(settings, metrics))
    app.extensions[EXTENSION_NAME] = state
    return state


def current_service_state() -> ServiceState[Any]:
    """Return the state attached to the current app."""
    state: ServiceState[Any] = current_app.extensions[EXTENSION_NAME]
    return state
