"""OpenTelemetry tracing of a service, off unless the standard OTEL_* variables turn it on.

On (docs/tracing.md): OTEL_TRACES_EXPORTER=otlp or console, or OTEL_EXPORTER_OTLP_ENDPOINT
(or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) set while OTEL_TRACES_EXPORTER is not; off whenever
OTEL_SDK_DISABLED=true or OTEL_TRACES_EXPORTER=none. Off, nothing here touches a request:
the factories' objects are left as they were built, and no span object is ever made. On, the
objects a factory built are instrumented once, when it builds them: the WSGI app (one server
span per request, its parent from the W3C traceparent nginx sends), one view (the session
check), the token cache owner (token lookup), the HTTP calls to the identity platform (a
token refresh, under a lookup) and to Graph, and every Redis command.
"""

from __future__ import annotations

import functools
import sys
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from flask import Flask, request
from opentelemetry import context, trace
from opentelemetry.trace import SpanKind, Status, StatusCode
from werkzeug.wsgi import ClosingIterator

from signin_core.settings import GUNICORN_BOOT_ERROR

if TYPE_CHECKING:
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SpanExporter
    from opentelemetry.trace import Tracer

    from signin_core.store.redis_connection import RedisConnection
    from signin_core.tokens.owner import StoredTokenCaches

EXPORTERS = ("otlp", "console")
DEFAULT_OTLP_ENDPOINT = "http://localhost:4318"
TRACES_PATH = "/v1/traces"
# The context value a token lookup's span sets: an identity-platform POST under it is the
# token refresh.
IN_TOKEN_LOOKUP = "signin.token_lookup"


class TracingConfigurationError(ValueError):
    """The OTEL_* variables ask for something this service cannot do."""


@dataclass(frozen=True)
class TracingChoice:
    """What the environment asks for: which exporters (none: tracing off), and where OTLP goes."""

    exporters: tuple[str, ...]
    otlp_endpoint: str

    @property
    def on(self) -> bool:
        """Whether the service traces at all."""
        return bool(self.exporters)


def tracing_choice(environ: Mapping[str, str]) -> TracingChoice:
    """Read the OTEL_* variables that decide tracing (an empty variable counts as unset)."""

    def value(name: str) -> str:
        return environ.get(name, "").strip()

    traces_endpoint = value("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")
    base_endpoint = value("OTEL_EXPORTER_OTLP_ENDPOINT")
    endpoint = traces_endpoint or (base_endpoint or DEFAULT_OTLP_ENDPOINT).rstrip("/") + TRACES_PATH
    if value("OTEL_SDK_DISABLED").lower() == "true":
        return TracingChoice((), endpoint)
    named = value("OTEL_TRACES_EXPORTER").lower()
    if not named:
        exporters: tuple[str, ...] = ("otlp",) if traces_endpoint or base_endpoint else ()
    else:
        exporters = tuple(dict.fromkeys(part.strip() for part in named.split(",")))
        if exporters == ("none",):
            exporters = ()
        unknown = [name for name in exporters if name not in EXPORTERS]
        if unknown:
            raise TracingConfigurationError(
                f"OTEL_TRACES_EXPORTER: {', '.join(unknown)} is not one of otlp, console, none"
            )
    for name in ("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", "OTEL_EXPORTER_OTLP_PROTOCOL"):
        protocol = value(name)
        if "otlp" in exporters and protocol and protocol != "http/protobuf":
            raise TracingConfigurationError(
                f"{name}: only http/protobuf is supported (OTLP over HTTP, port 4318), "
                f"not {protocol}"
            )
    if "otlp" in exporters and not endpoint.startswith(("http://", "https://")):
        raise TracingConfigurationError(
            f"the OTLP endpoint {endpoint!r} must be an http:// or https:// URL"
        )
    return TracingChoice(exporters, endpoint)


def build_tracing(service_name: str, environ: Mapping[str, str]) -> Tracing:
    """The service's tracing as the environment asks; on a bad OTEL_* value, say which and
    stop the gunicorn server."""
    try:
        choice = tracing_choice(environ)
    except TracingConfigurationError as error:
        print(
            f"{service_name} cannot start, fix these environment variables:\n  {error}",
            file=sys.stderr,
            flush=True,
        )
        raise SystemExit(GUNICORN_BOOT_ERROR) from None
    if not choice.on:
        return TRACING_OFF
    from opentelemetry.sdk.resources import SERVICE_NAME, Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor

    # The resource's other attributes come from OTEL_RESOURCE_ATTRIBUTES, as the SDK reads it.
    named = environ.get("OTEL_SERVICE_NAME", "").strip() or service_name
    provider = TracerProvider(resource=Resource.create({SERVICE_NAME: named}))
    for name in choice.exporters:
        provider.add_span_processor(BatchSpanProcessor(_exporter(name, choice.otlp_endpoint)))
    return Tracing(provider.get_tracer("signin_core"), provider)


def _exporter(name: str, otlp_endpoint: str) -> SpanExporter:
    if name == "console":
        from opentelemetry.sdk.trace.export import ConsoleSpanExporter

        return ConsoleSpanExporter()
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

    return OTLPSpanExporter(endpoint=otlp_endpoint)


@dataclass(frozen=True)
class Tracing:
    """A service's tracer (None: tracing is off, and every method leaves its object alone)."""

    tracer: Tracer | None = None
    provider: TracerProvider | None = None

    def init_app(self, app: Flask) -> None:
        """One server span per request, around the whole WSGI app (the session's loading
        included), a child of the request's traceparent; named after the route it matched."""
        if self.tracer is None:
            return
        app.wsgi_app = _ServerSpans(app.wsgi_app, self.tracer)  # type: ignore[method-assign]
        # First of the before_request functions: one that answers stops those after it.
        app.before_request_funcs.setdefault(None, []).insert(0, _name_server_span)

    def trace_view(self, app: Flask, endpoint: str, span_name: str) -> None:
        """A span named span_name around the view of endpoint (the session check, say)."""
        if self.tracer is None:
            return
        view, tracer = app.view_functions[endpoint], self.tracer

        @functools.wraps(view)
        def traced_view(*args: Any, **kwargs: Any) -> Any:
            with tracer.start_as_current_span(span_name):
                return view(*args, **kwargs)

        app.view_functions[endpoint] = traced_view

    def trace_token_caches(self, tokens: StoredTokenCaches) -> None:
        """A "token lookup" span around each token_for, and "token merge" around a sign-in's."""
        if self.tracer is None:
            return
        tracer = self.tracer
        token_for, merge_sign_in = tokens.token_for, tokens.merge_sign_in

        @functools.wraps(token_for)
        def traced_token_for(home_account_id: str, scopes: list[str], **options: Any) -> str:
            in_lookup = context.attach(context.set_value(IN_TOKEN_LOOKUP, True))
            try:
                with tracer.start_as_current_span(
                    "token lookup", attributes={"signin.scopes": " ".join(scopes)}
                ):
                    return token_for(home_account_id, scopes, **options)
            finally:
                context.detach(in_lookup)

        @functools.wraps(merge_sign_in)
        def traced_merge(home_account_id: str, signed_in: Any) -> None:
            with tracer.start_as_current_span("token merge"):
                merge_sign_in(home_account_id, signed_in)

        tokens.token_for = traced_token_for  # type: ignore[method-assign]
        tokens.merge_sign_in = traced_merge  # type: ignore[method-assign]

    def trace_http_calls(self, client: Any, peer: str | None = None) -> None:
        """A client span around each client.request(method, url, ...) (a requests session or
        graph-service's transport): "<peer> <METHOD>" (peer: the host when not given), or
        "token refresh" for a POST made during a token lookup; with the status and any
        client-request-id sent."""
        if self.tracer is None:
            return
        tracer, send = self.tracer, client.request

        @functools.wraps(send)
        def traced_request(method: str, url: str, *args: Any, **kwargs: Any) -> Any:
            host = urlsplit(str(url)).hostname or ""
            refresh = method.upper() == "POST" and context.get_value(IN_TOKEN_LOOKUP)
            name = "token refresh" if refresh else f"{peer or host} {method.upper()}"
            attributes = {"http.request.method": method.upper(), "server.address": host}
            sent_id = (kwargs.get("headers") or {}).get("client-request-id")
            if sent_id:
                attributes["http.request.header.client-request-id"] = sent_id
            with tracer.start_as_current_span(
                name, kind=SpanKind.CLIENT, attributes=attributes
            ) as span:
                answer = send(method, url, *args, **kwargs)
                status = int(getattr(answer, "status_code", 0))
                span.set_attribute("http.response.status_code", status)
                if status >= 500:
                    span.set_status(Status(StatusCode.ERROR))
                return answer

        client.request = traced_request

    def trace_redis(self, connection: RedisConnection) -> None:
        """A client span "redis <COMMAND>" around every command of the connection's client
        (keys are never recorded: they name users)."""
        if self.tracer is None:
            return
        tracer, build_client = self.tracer, connection.client
        instrumented: list[Any] = []  # the client last built (a closed connection builds anew)
        guard = threading.Lock()

        def traced_client() -> Any:
            client: Any = build_client()
            if instrumented and instrumented[0] is client:
                return client
            with guard:
                if instrumented and instrumented[0] is client:
                    return client
                instrumented[:] = [client]
                execute = client.execute_command

                def traced_execute(*args: Any, **options: Any) -> Any:
                    command = str(args[0]).split(" ")[0].upper() if args else "?"
                    with tracer.start_as_current_span(
                        f"redis {command}",
                        kind=SpanKind.CLIENT,
                        attributes={"db.system.name": "redis", "db.operation.name": command},
                    ):
                        return execute(*args, **options)

                client.execute_command = traced_execute
            return client

        connection.client = traced_client  # type: ignore[method-assign]


TRACING_OFF = Tracing()


def _name_server_span() -> None:
    """Name the request's server span after its route (never its path: paths name users)."""
    route = request.url_rule.rule if request.url_rule is not None else "unmatched"
    span = trace.get_current_span()
    span.update_name(f"{request.method} {route}")
    span.set_attribute("http.route", route)


class _EnvironGetter:
    """Reads propagation headers (traceparent, tracestate) from a WSGI environ."""

    def get(self, carrier: Mapping[str, Any], key: str) -> list[str] | None:
        """The header's value, as the one item of a list; None when absent."""
        value = carrier.get("HTTP_" + key.upper().replace("-", "_"))
        return None if value is None else [str(value)]

    def keys(self, carrier: Mapping[str, Any]) -> list[str]:
        """The header names in the environ (unused by the W3C propagator)."""
        return [key[5:].lower().replace("_", "-") for key in carrier if key.startswith("HTTP_")]


class _ServerSpans:
    """WSGI middleware: a server span per request, current while the app runs."""

    def __init__(self, app: Callable[..., Iterable[bytes]], tracer: Tracer) -> None:
        from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

        self._app = app
        self._tracer = tracer
        self._propagator = TraceContextTextMapPropagator()
        self._getter = _EnvironGetter()

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        """Serve the request inside its server span; the span ends when the body is closed."""
        parent = self._propagator.extract(environ, getter=self._getter)  # type: ignore[arg-type]
        method = str(environ.get("REQUEST_METHOD", ""))
        span = self._tracer.start_span(
            method, context=parent, kind=SpanKind.SERVER, attributes={"http.request.method": method}
        )

        def start_and_note(status: str, headers: list[Any], exc_info: Any = None) -> Any:
            code = int(status.split(" ", 1)[0])
            span.set_attribute("http.response.status_code", code)
            if code >= 500:
                span.set_status(Status(StatusCode.ERROR))
            return start_response(status, headers, exc_info)

        attached = context.attach(trace.set_span_in_context(span, parent))
        try:
            body = self._app(environ, start_and_note)
        except BaseException as error:
            span.record_exception(error)
            span.set_status(Status(StatusCode.ERROR))
            span.end()
            raise
        finally:
            context.detach(attached)
        return ClosingIterator(body, span.end)
