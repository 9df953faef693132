"""Every graph-service answer is the user's own data: no cache may keep any of it."""

from __future__ import annotations

from flask import Flask, Response


def init_app(app: Flask) -> None:
    """Send Cache-Control: no-store on every answer, errors included."""

    @app.after_request
    def no_store(response: Response) -> Response:
        response.headers["Cache-Control"] = "no-store"
        return response
