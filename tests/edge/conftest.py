"""The edge's own stack: the demo app behind nginx, a header probe in graph-service's place,
and a trusted load balancer address, all on loopback. And nginx alone, in front of header
probes in every upstream's place."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from native_stack.stack import NativeStack, StackOptions
from tests.edge.lone_edge import LoneEdge, servers
from tests.edge.stand_ins import HeaderProbe
from tests.support.browser import Browser
from tests.support.sign_in import sign_in_through

# Source addresses on the loopback network: each is a different client to nginx.
RATE_LIMITED_CLIENT = "127.0.0.2"
TRUSTED_BALANCER = "127.0.0.3"
OTHER_CLIENT = "127.0.0.4"


@pytest.fixture(scope="session")
def header_probe() -> Iterator[HeaderProbe]:
    """The stand-in upstream behind /graph/ in the edge stack: it shows what nginx forwards."""
    probe = HeaderProbe()
    probe.start()
    yield probe
    probe.stop()


@pytest.fixture(scope="session")
def edge_stack(
    tmp_path_factory: pytest.TempPathFactory, header_probe: HeaderProbe
) -> Iterator[NativeStack]:
    """The stack with demo-app at /app/, the header probe behind /graph/, and a balancer."""
    options = StackOptions(
        run_dir=tmp_path_factory.mktemp("edge-stack"),
        graph_workers=1,
        demo_app=True,
        nginx_env={
            "GRAPH_SERVICE_SERVERS": f"server 127.0.0.1:{header_probe.port};",
            "TRUSTED_PROXY": f"{TRUSTED_BALANCER}/32",
            "SIGN_IN_RATE_LIMIT": "100r/s",
            "SIGN_IN_RATE_BURST": "40",
        },
    )
    running = NativeStack(options)
    running.start()
    yield running
    running.stop()


@pytest.fixture
def signed_in_browser(edge_stack: NativeStack, browser: Browser) -> Browser:
    """A browser-like client signed in to the edge stack as the first seeded user."""
    assert edge_stack.registration is not None
    landed = sign_in_through(browser, edge_stack.public_url, edge_stack.registration.usernames[0])
    assert landed.url.rstrip("/") == edge_stack.public_url, landed.url
    return browser


@dataclass(frozen=True)
class StandIns:
    """A header probe in the place of auth-service, graph-service and the protected app."""

    auth: HeaderProbe
    graph: HeaderProbe
    app: HeaderProbe

    def upstream_values(self) -> dict[str, str]:
        """The nginx template values that point every upstream at its probe."""
        return {
            "AUTH_SERVICE_SERVERS": servers(self.auth.port),
            "GRAPH_SERVICE_SERVERS": servers(self.graph.port),
            "APP_UPSTREAM": f"127.0.0.1:{self.app.port}",
        }


@pytest.fixture(scope="session")
def stand_ins() -> Iterator[StandIns]:
    """Header probes for every upstream (the auth probe also answers the session check)."""
    probes = StandIns(HeaderProbe(), HeaderProbe(), HeaderProbe())
    for probe in (probes.auth, probes.graph, probes.app):
        probe.start()
    yield probes
    for probe in (probes.auth, probes.graph, probes.app):
        probe.stop()


StartLoneEdge = Callable[..., LoneEdge]


@pytest.fixture
def lone_edge(tmp_path: Path, stand_ins: StandIns) -> Iterator[StartLoneEdge]:
    """Start nginx alone in front of the stand-ins, with template values of the test's own."""
    started: list[LoneEdge] = []

    def start(**values: str) -> LoneEdge:
        edge = LoneEdge(
            tmp_path / f"edge-{len(started)}", {**stand_ins.upstream_values(), **values}
        )
        started.append(edge)
        edge.start()
        return edge

    yield start
    for edge in started:
        edge.stop()
