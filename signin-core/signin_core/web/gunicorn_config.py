"""How both services run under gunicorn, natively and in containers (gunicorn -c python:...).

PORT serves the application, METRICS_PORT serves /metrics only; neither is published by
nginx's public side. WEB_CONCURRENCY workers, each a gevent event loop serving up to
GUNICORN_WORKER_CONNECTIONS requests at once: the services mostly wait on Redis and on
Microsoft, and one loop per process costs less per request than gthread's hand-offs between
threads (measured with `make bench`). GUNICORN_WORKER_CLASS=gthread (with GUNICORN_THREADS)
is the fallback.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from typing import Any

_host = os.environ.get("BIND_HOST", "0.0.0.0")
bind = [f"{_host}:{os.environ.get('PORT', '8000')}"]
if os.environ.get("METRICS_PORT"):
    bind.append(f"{_host}:{os.environ['METRICS_PORT']}")
if os.environ.get("GRANT_PORT"):  # graph-service: the app's grants (graph_routes.py)
    bind.append(f"{_host}:{os.environ['GRANT_PORT']}")
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
worker_class = os.environ.get("GUNICORN_WORKER_CLASS", "gevent")
worker_connections = int(os.environ.get("GUNICORN_WORKER_CONNECTIONS", "1000"))
threads = int(os.environ.get("GUNICORN_THREADS", "4"))  # gthread only
graceful_timeout = 5
# An idle connection from nginx stays open longer than nginx keeps it (its upstream
# keepalive_timeout, 1 s), so nginx always closes first and never sends a request on a
# connection the service is closing: a POST caught that way would be answered 502. Short,
# because a stopping gevent worker waits for idle connections too (up to graceful_timeout).
keepalive = 3
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "warning")
accesslog = None  # the services write one JSON line per request themselves
# gunicorn's own messages (start, stop, requests it refuses) as JSON lines without queries.
logger_class = "signin_core.web.gunicorn_logging.JsonLinesLogger"
# No control socket (gunicornc): nothing uses it, and its default place, under $HOME, is on a
# read-only filesystem in the containers.
control_socket_disable = True
# As large as nginx lets through (large_client_header_buffers 4 32k): Entra's cookies and a
# /login link carrying a claims challenge must not be refused by gunicorn behind nginx.
limit_request_line = 8190  # gunicorn's maximum
limit_request_field_size = 32768


def on_starting(server: Any) -> None:
    """Give the workers an empty directory to share their Prometheus metrics through."""
    directory = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if directory:
        shutil.rmtree(directory, ignore_errors=True)
    else:
        directory = tempfile.mkdtemp(prefix="prometheus-")
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = directory
    os.makedirs(directory, exist_ok=True)


def child_exit(server: Any, worker: Any) -> None:
    """Forget a dead worker's live gauges."""
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)  # type: ignore[no-untyped-call]
