"""A tiny OTLP/HTTP trace collector for tests: keeps every span the services export."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
    ExportTraceServiceRequest,
    ExportTraceServiceResponse,
)
from opentelemetry.proto.common.v1.common_pb2 import AnyValue
from opentelemetry.proto.trace.v1.trace_pb2 import Span


@dataclass(frozen=True)
class CollectedSpan:
    """One exported span, its ids in lowercase hex."""

    service: str
    name: str
    kind: str
    trace_id: str
    span_id: str
    parent_id: str
    attributes: dict[str, object]


def _plain(value: AnyValue) -> object:
    kind = value.WhichOneof("value")
    return getattr(value, kind) if kind else None


def spans_of(body: bytes) -> list[CollectedSpan]:
    """The spans of one OTLP/HTTP protobuf export request."""
    export = ExportTraceServiceRequest.FromString(body)
    found = []
    for resource_spans in export.resource_spans:
        resource = {a.key: _plain(a.value) for a in resource_spans.resource.attributes}
        for scope_spans in resource_spans.scope_spans:
            for span in scope_spans.spans:
                found.append(
                    CollectedSpan(
                        service=str(resource.get("service.name")),
                        name=span.name,
                        kind=Span.SpanKind.Name(span.kind),
                        trace_id=span.trace_id.hex(),
                        span_id=span.span_id.hex(),
                        parent_id=span.parent_span_id.hex(),
                        attributes={a.key: _plain(a.value) for a in span.attributes},
                    )
                )
    return found


class OtlpCollector:
    """The spans POSTed to /v1/traces, in arrival order."""

    def __init__(self) -> None:
        self.spans: list[CollectedSpan] = []
        self._guard = threading.Lock()

    def keep(self, body: bytes) -> None:
        """Keep the spans of one export."""
        with self._guard:
            self.spans.extend(spans_of(body))

    def wait_for(
        self, done: Callable[[list[CollectedSpan]], bool], *, within_seconds: float = 10.0
    ) -> list[CollectedSpan]:
        """The spans kept, once done(spans) holds or the time is up."""
        deadline = time.monotonic() + within_seconds
        while True:
            with self._guard:
                spans = list(self.spans)
            if done(spans) or time.monotonic() > deadline:
                return spans
            time.sleep(0.05)


@contextmanager
def running_collector() -> Iterator[tuple[OtlpCollector, str]]:
    """A collector on a free loopback port, and its URL (for OTEL_EXPORTER_OTLP_ENDPOINT)."""
    collector = OtlpCollector()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 (http.server's name)
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            if self.path == "/v1/traces":
                collector.keep(body)
                answer, status = ExportTraceServiceResponse().SerializeToString(), 200
            else:
                answer, status = b"", 404
            self.send_response(status)
            self.send_header("Content-Type", "application/x-protobuf")
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, *_: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield collector, f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
