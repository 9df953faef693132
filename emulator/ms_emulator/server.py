"""Running the app under gunicorn with TLS: one worker process, several threads."""

from __future__ import annotations

from typing import Any

from flask import Flask
from gunicorn.app.base import BaseApplication

from ms_emulator.app import create_app
from ms_emulator.settings import EmulatorSettings
from ms_emulator.tls_files import TlsFiles


class EmulatorServer(BaseApplication):  # type: ignore[misc]
    """A gunicorn application whose single worker builds the app (and all its state)."""

    def __init__(self, settings: EmulatorSettings, options: dict[str, Any]) -> None:
        self._settings = settings
        self._options = options
        super().__init__()

    def load_config(self) -> None:
        """Apply our options to gunicorn's configuration."""
        for key, value in self._options.items():
            self.cfg.set(key, value)

    def load(self) -> Flask:
        """Create the Flask app inside the worker process."""
        return create_app(self._settings)


def gunicorn_options(bind: str, tls: TlsFiles, threads: int) -> dict[str, Any]:
    """gunicorn settings: TLS, one gthread worker, logs to stdout/stderr, quick shutdown."""
    return {
        "bind": [bind],
        "workers": 1,
        "worker_class": "gthread",
        "threads": threads,
        "certfile": str(tls.server_cert),
        "keyfile": str(tls.server_key),
        "accesslog": "-",
        "errorlog": "-",
        "loglevel": "info",
        "graceful_timeout": 3,
        "timeout": 120,
        "keepalive": 5,
        "proc_name": "ms-emulator",
        "control_socket_disable": True,
        "preload_app": False,
    }


def serve(settings: EmulatorSettings, bind: str, tls: TlsFiles) -> None:
    """Run the server until SIGTERM/SIGINT."""
    EmulatorServer(settings, gunicorn_options(bind, tls, settings.threads)).run()
