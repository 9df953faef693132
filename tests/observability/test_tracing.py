"""One request's trace, whole: nginx's traceparent, auth-service's session check,
graph-service's request, its token lookup and refresh, the Graph call and Redis."""

from __future__ import annotations

import secrets
from collections.abc import Iterator

import pytest

from native_stack.edge import LIFTED_SIGN_IN_LIMITS
from native_stack.stack import NativeStack, StackOptions
from tests.observability.otlp_collector import CollectedSpan, OtlpCollector, running_collector
from tests.resilience.expired_tokens import make_access_tokens_expire
from tests.support.browser import Browser
from tests.support.sign_in import sign_in_through
from tests.support.stack_records import home_account_id_of


def guid(hex_id: str) -> str:
    return f"{hex_id[:8]}-{hex_id[8:12]}-{hex_id[12:16]}-{hex_id[16:20]}-{hex_id[20:]}"


@pytest.fixture(scope="module")
def traced(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[NativeStack, OtlpCollector]]:
    """The native stack with tracing turned on by an OTLP endpoint alone, exporting to us."""
    with running_collector() as (collector, endpoint):
        options = StackOptions(
            run_dir=tmp_path_factory.mktemp("traced"),
            # Every request checked, so that each trace holds its session check's spans.
            nginx_env={**LIFTED_SIGN_IN_LIMITS, "SESSION_CHECK_CACHE_SECONDS": "0"},
            service_env={"OTEL_EXPORTER_OTLP_ENDPOINT": endpoint, "OTEL_BSP_SCHEDULE_DELAY": "50"},
        )
        with NativeStack(options) as stack:
            yield stack, collector


@pytest.fixture(scope="module")
def signed_in(traced: tuple[NativeStack, OtlpCollector]) -> Iterator[Browser]:
    stack, _ = traced
    assert stack.registration is not None
    with Browser() as browser:
        sign_in_through(browser, stack.public_url, stack.registration.usernames[0])
        yield browser


def trace_of(collector: OtlpCollector, trace_id: str, *wanted: str) -> list[CollectedSpan]:
    """The trace's spans, once a span of each wanted name has arrived."""

    def complete(spans: list[CollectedSpan]) -> bool:
        names = {span.name for span in spans if span.trace_id == trace_id}
        return all(any(name.endswith(w) for name in names) for w in wanted)

    return [span for span in collector.wait_for(complete) if span.trace_id == trace_id]


def one(spans: list[CollectedSpan], service: str, name: str) -> CollectedSpan:
    [found] = [s for s in spans if s.service == service and s.name.endswith(name)]
    return found


def test_a_graph_call_is_one_trace_from_nginx_to_graph(
    traced: tuple[NativeStack, OtlpCollector], signed_in: Browser
) -> None:
    stack, collector = traced
    make_access_tokens_expire(stack, home_account_id_of(stack, signed_in))  # a refresh, too
    trace_id, caller_span = secrets.token_hex(16), secrets.token_hex(8)
    answer = signed_in.get(
        stack.public_url + "/graph/me",
        headers={"traceparent": f"00-{trace_id}-{caller_span}-01", "tracestate": "caller=1"},
    )
    assert answer.status_code == 200
    assert answer.headers["client-request-id"] == guid(trace_id)  # what Graph was sent

    spans = trace_of(
        collector, trace_id, "/_auth/check", "session check", "/graph/me", "token lookup",
        "token refresh", "Graph GET",
    )  # fmt: skip
    check = one(spans, "auth-service", "/_auth/check")
    assert (check.kind, check.parent_id) == ("SPAN_KIND_SERVER", caller_span)
    assert one(spans, "auth-service", "session check").parent_id == check.span_id
    request = one(spans, "graph-service", "GET /graph/me")
    assert (request.kind, request.parent_id) == ("SPAN_KIND_SERVER", caller_span)
    assert request.attributes["http.route"] == "/graph/me"
    lookup = one(spans, "graph-service", "token lookup")
    assert lookup.parent_id == request.span_id
    refresh = one(spans, "graph-service", "token refresh")
    assert (refresh.kind, refresh.parent_id) == ("SPAN_KIND_CLIENT", lookup.span_id)
    graph_call = one(spans, "graph-service", "Graph GET")
    assert (graph_call.kind, graph_call.parent_id) == ("SPAN_KIND_CLIENT", request.span_id)
    assert graph_call.attributes["http.request.header.client-request-id"] == guid(trace_id)
    assert graph_call.attributes["http.response.status_code"] == 200
    redis_reads = [s for s in spans if s.name.startswith("redis ")]
    assert {s.service for s in redis_reads} == {"auth-service", "graph-service"}
    assert any(s.parent_id == lookup.span_id for s in redis_reads)  # the token cache's record
    by_id = {s.span_id for s in spans}
    assert all(s.parent_id in by_id or s.parent_id == caller_span for s in spans)


@pytest.mark.parametrize("sent", [None, "00-" + "0" * 32 + "-" + "1" * 16 + "-01", "garbage"])
def test_nginx_starts_the_trace_from_its_request_id_without_a_valid_traceparent(
    traced: tuple[NativeStack, OtlpCollector], signed_in: Browser, sent: str | None
) -> None:
    stack, collector = traced
    headers = {} if sent is None else {"traceparent": sent}
    answer = signed_in.get(stack.public_url + "/graph/me", headers=headers)
    assert answer.status_code == 200
    request_id = answer.headers["X-Request-Id"]
    assert answer.headers["client-request-id"] == guid(request_id)
    spans = trace_of(collector, request_id, "/_auth/check", "GET /graph/me", "Graph GET")
    check = one(spans, "auth-service", "/_auth/check")
    request = one(spans, "graph-service", "GET /graph/me")
    assert check.parent_id == request.parent_id == request_id[16:]  # nginx's, unexported
