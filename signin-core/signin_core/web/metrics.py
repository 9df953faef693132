"""Prometheus metrics of a service, served at /metrics on the metrics port only."""

from __future__ import annotations

import os
import time
from dataclasses import dataclass

from flask import Flask, Response, g, request
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)

METRICS_PORT_VARIABLE = "METRICS_PORT"
# Label values are never the client's words: a method outside these is "other", a path no
# route matched is "unmatched", a status outside 100-599 is "other".
KNOWN_METHODS = frozenset(
    {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "CONNECT"}
)


@dataclass(frozen=True)
class ServiceMetrics:
    """Every metric a service records; one instance per application."""

    registry: CollectorRegistry
    requests: Counter
    request_seconds: Histogram
    token_cache: Counter
    refresh_lock: Counter
    refresh_lock_wait_seconds: Histogram
    graph_calls: Counter
    graph_retries: Counter
    redis_errors: Counter


def build_metrics() -> ServiceMetrics:
    """Create the metrics in a registry of their own (gunicorn workers share them on disk)."""
    registry = CollectorRegistry(auto_describe=True)
    return ServiceMetrics(
        registry=registry,
        requests=Counter(
            "http_requests", "Requests by route, method and status.",
            ["route", "method", "status"], registry=registry,
        ),
        request_seconds=Histogram(
            "http_request_duration_seconds", "Request latency by route.", ["route"],
            registry=registry,
        ),
        token_cache=Counter(
            "token_cache_events", "Token cache lookups: hit, miss, refresh.", ["event"],
            registry=registry,
        ),
        refresh_lock=Counter(
            "refresh_lock", "Refresh lock outcomes: acquired or timeout.", ["outcome"],
            registry=registry,
        ),
        refresh_lock_wait_seconds=Histogram(
            "refresh_lock_wait_seconds", "Time spent waiting for a user's refresh lock.",
            registry=registry,
        ),
        graph_calls=Counter(
            "graph_calls", "Calls to Microsoft Graph by status.", ["status"], registry=registry
        ),
        graph_retries=Counter(
            "graph_retries", "Graph calls retried after 429 or 503.", registry=registry
        ),
        redis_errors=Counter("redis_errors", "Requests that found Redis unreachable.",
                             registry=registry),
    )  # fmt: skip


def init_metrics(app: Flask) -> ServiceMetrics:
    """Build the metrics and record every request; the caller hands them on to what counts."""
    metrics = build_metrics()
    init_app(app, metrics)
    return metrics


def init_app(app: Flask, metrics: ServiceMetrics) -> None:
    """Record every request, and answer /metrics on METRICS_PORT (never on the service port)."""
    metrics_port = os.environ.get(METRICS_PORT_VARIABLE, "")

    @app.before_request
    def start_timer() -> Response | None:
        g.request_started = time.perf_counter()
        if request.path == "/metrics" and metrics_port:
            if request.environ.get("SERVER_PORT") == metrics_port:
                return exposition(metrics)
        return None

    @app.after_request
    def record(response: Response) -> Response:
        if request.path == "/metrics":
            return response
        route = request.url_rule.rule if request.url_rule is not None else "unmatched"
        metrics.requests.labels(
            route, method_label(request.method), status_label(response.status_code)
        ).inc()
        started = g.get("request_started")
        if started is not None:
            metrics.request_seconds.labels(route).observe(time.perf_counter() - started)
        return response


def method_label(method: str) -> str:
    """The method as a label: one of the standard methods, else "other"."""
    return method if method in KNOWN_METHODS else "other"


def status_label(status: int) -> str:
    """The status as a label: its three digits, or "other" outside 100-599."""
    return str(status) if 100 <= status <= 599 else "other"


def exposition(metrics: ServiceMetrics) -> Response:
    """The text exposition of every worker's metrics (or this process's alone)."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
    else:
        registry = metrics.registry
    return Response(generate_latest(registry), mimetype=CONTENT_TYPE_LATEST)
