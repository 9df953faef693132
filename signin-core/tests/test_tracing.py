"""Which OTEL_* variables turn tracing on, and what a bad one says."""

from __future__ import annotations

import pytest

from signin_core.settings import GUNICORN_BOOT_ERROR
from signin_core.web.tracing import TRACING_OFF, build_tracing, tracing_choice

ENDPOINT = "http://collector:4318"


@pytest.mark.parametrize(
    ("environ", "exporters"),
    [
        ({}, ()),
        ({"OTEL_SERVICE_NAME": "auth"}, ()),
        ({"OTEL_EXPORTER_OTLP_ENDPOINT": ""}, ()),
        ({"OTEL_EXPORTER_OTLP_ENDPOINT": ENDPOINT}, ("otlp",)),
        ({"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": ENDPOINT + "/v1/traces"}, ("otlp",)),
        ({"OTEL_TRACES_EXPORTER": "otlp"}, ("otlp",)),
        ({"OTEL_TRACES_EXPORTER": "console"}, ("console",)),
        ({"OTEL_TRACES_EXPORTER": "otlp, console"}, ("otlp", "console")),
        ({"OTEL_TRACES_EXPORTER": "none", "OTEL_EXPORTER_OTLP_ENDPOINT": ENDPOINT}, ()),
        ({"OTEL_SDK_DISABLED": "true", "OTEL_TRACES_EXPORTER": "otlp"}, ()),
        ({"OTEL_SDK_DISABLED": "false", "OTEL_EXPORTER_OTLP_ENDPOINT": ENDPOINT}, ("otlp",)),
    ],
)
def test_the_otel_variables_turn_tracing_on(environ: dict[str, str], exporters: tuple) -> None:
    assert tracing_choice(environ).exporters == exporters


@pytest.mark.parametrize(
    ("environ", "endpoint"),
    [
        ({}, "http://localhost:4318/v1/traces"),
        ({"OTEL_EXPORTER_OTLP_ENDPOINT": ENDPOINT + "/"}, ENDPOINT + "/v1/traces"),
        ({"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": ENDPOINT + "/in"}, ENDPOINT + "/in"),
    ],
)
def test_the_otlp_endpoint(environ: dict[str, str], endpoint: str) -> None:
    assert tracing_choice(environ).otlp_endpoint == endpoint


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        ({"OTEL_TRACES_EXPORTER": "zipkin"}, "OTEL_TRACES_EXPORTER: zipkin is not one of"),
        (
            {"OTEL_TRACES_EXPORTER": "otlp", "OTEL_EXPORTER_OTLP_PROTOCOL": "grpc"},
            "OTEL_EXPORTER_OTLP_PROTOCOL: only http/protobuf",
        ),
        ({"OTEL_EXPORTER_OTLP_ENDPOINT": "collector:4318"}, "must be an http:// or https://"),
    ],
)
def test_a_bad_variable_stops_the_service_saying_which(
    environ: dict[str, str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as stopped:
        build_tracing("auth-service", environ)
    assert stopped.value.code == GUNICORN_BOOT_ERROR
    assert message in capsys.readouterr().err


def test_off_is_the_one_tracing_that_changes_nothing() -> None:
    assert build_tracing("auth-service", {}) is TRACING_OFF
    assert TRACING_OFF.tracer is None
