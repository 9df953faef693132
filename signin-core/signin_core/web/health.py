"""The /healthz and /readyz routes every service exposes."""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, jsonify
from flask.typing import ResponseReturnValue


def health_blueprint(readiness_checks: dict[str, Callable[[], bool]]) -> Blueprint:
    """Return a blueprint with /healthz (process is up) and /readyz (dependencies answer)."""
    blueprint = Blueprint("health", __name__)

    @blueprint.get("/healthz")
    def healthz() -> ResponseReturnValue:
        """Answer 200 while the process serves requests."""
        return jsonify(status="ok")

    @blueprint.get("/readyz")
    def readyz() -> ResponseReturnValue:
        """Answer 200 when every dependency answers, else 503 naming the failing ones."""
        results = {name: check() for name, check in readiness_checks.items()}
        ready = all(results.values())
        body = jsonify(status="ready" if ready else "not ready", checks=results)
        return (body, 200) if ready else (body, 503, {"Retry-After": "5"})

    return blueprint
