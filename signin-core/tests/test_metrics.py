"""metrics: request labels come from a fixed set, whatever method and path a client sends."""

from __future__ import annotations

import re

import pytest
from flask import Flask

from signin_core.web import metrics as service_metrics

METRICS_PORT = "9999"
REQUEST_LABELS = re.compile(
    r'^http_requests_total\{method="(?P<method>[^"]*)",route="(?P<route>[^"]*)",'
    r'status="(?P<status>[^"]*)"\} '
)
CRAZY_REQUESTS = [
    ("PROPFIND", "/items/1"),
    ("get", "/items/1"),
    ("G3T\x7f", "/"),
    ("X" * 300, "/items/" + "a" * 300),
    ("GET", "/" + "b" * 500),
    ("GET", "/nowhere/%ff%00/../x"),
    ("DELETE", "/items/1/../../etc"),
    ("BREW", "/coffee"),
]


@pytest.fixture
def app(monkeypatch: pytest.MonkeyPatch) -> Flask:
    monkeypatch.setenv(service_metrics.METRICS_PORT_VARIABLE, METRICS_PORT)
    monkeypatch.delenv("PROMETHEUS_MULTIPROC_DIR", raising=False)
    built = Flask(__name__)
    service_metrics.init_metrics(built)

    @built.get("/")
    def home() -> str:
        return "home"

    @built.get("/items/<item_id>")
    def item(item_id: str) -> str:
        return item_id

    return built


def request_labels(app: Flask) -> list[dict[str, str]]:
    text = (
        app.test_client()
        .get("/metrics", environ_overrides={"SERVER_PORT": METRICS_PORT})
        .get_data(as_text=True)
    )
    found = [REQUEST_LABELS.match(line) for line in text.splitlines()]
    return [labels.groupdict() for labels in found if labels is not None]


def test_labels_never_take_the_client_method_or_path_verbatim(app: Flask) -> None:
    client = app.test_client()
    for method, path in CRAZY_REQUESTS:
        client.open(path, method=method)
    client.get("/items/7")
    client.get("/")
    labels = request_labels(app)
    assert {label["method"] for label in labels} == {"GET", "DELETE", "other"}
    assert {label["route"] for label in labels} == {"/", "/items/<item_id>", "unmatched"}
    assert {label["status"] for label in labels} <= {"200", "404", "405"}
    assert len(labels) <= 8
