"""The fuzz corpus: sets of mutations drawn by hypothesis from a fixed seed, plus the attacks
known to have broken the stack, each applied to every route, signed in and not."""

from __future__ import annotations

import json
from dataclasses import dataclass

from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st

from tests.fuzz.body_mutations import body_mutations, deep_json, with_body
from tests.fuzz.header_mutations import (
    control_byte,
    header_mutations,
    long_label_host,
    many_headers,
)
from tests.fuzz.mutation import Mutation
from tests.fuzz.raw_http import RawRequest
from tests.fuzz.request_line_mutations import request_line_mutations, with_parameters
from tests.fuzz.routes import ROUTES, Route

FUZZ_SEED = 20261201  # the draw every run makes; change it to fuzz other inputs
CRLF_IN_BATCH_HEADER = json.dumps(
    {"requests": [{"id": "1", "method": "GET", "url": "/me", "headers": {"X-A": "a\r\nX-B: b"}}]}
).encode()
# Inputs an outside attack, or this suite, found 500s with: each is in every run, whatever
# hypothesis draws.
KNOWN_ATTACKS: tuple[tuple[Mutation, ...], ...] = (
    (),  # the well-formed request itself
    (long_label_host(64),),
    (control_byte(b"X-Fuzz", b"\x01", ""),),
    (control_byte(b"User-Agent", b"\x7f", "fuzz"),),
    (many_headers(200, False),),
    (deep_json(5000, "[", True),),
    (
        with_body(
            "body: CR/LF in a $batch item header", "", CRLF_IN_BATCH_HEADER, b"application/json"
        ),
    ),
    (with_parameters([("all", "true")]),),  # paging asked of a photo
)


@dataclass(frozen=True)
class FuzzCase:
    """One request of the corpus: the route it started from, signed in or not, and what was
    done to it."""

    route: Route
    signed_in: bool
    mutations: tuple[Mutation, ...]
    request: RawRequest

    @property
    def kinds(self) -> tuple[str, ...]:
        """The kinds of its mutations (the class of input it belongs to)."""
        return tuple(sorted({mutation.kind for mutation in self.mutations})) or ("well-formed",)


def any_mutation() -> st.SearchStrategy[Mutation]:
    """One mutation of any part of a request."""
    return st.one_of(request_line_mutations(), header_mutations(), body_mutations())


def drawn_mutation_sets(count: int) -> list[tuple[Mutation, ...]]:
    """count sets of one or two mutations, drawn by hypothesis from a fixed seed and without
    an example database, so every run draws the same ones. (derandomize alone is not enough:
    it seeds from a digest that includes the strategies' reprs, and some of those name
    objects by their address, which changes from run to run.)"""
    drawn: list[tuple[Mutation, ...]] = []

    @seed(FUZZ_SEED)
    @settings(
        max_examples=count,
        database=None,
        phases=[Phase.generate],
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(st.lists(any_mutation(), min_size=1, max_size=2).map(tuple))
    def collect(mutations: tuple[Mutation, ...]) -> None:
        drawn.append(mutations)

    collect()
    return drawn


@dataclass(frozen=True)
class CaseBuilder:
    """Builds the requests of the corpus for one stack: its Host and a signed-in cookie."""

    host: bytes
    session_cookie: bytes

    def case(self, route: Route, signed_in: bool, mutations: tuple[Mutation, ...]) -> FuzzCase:
        """route's well-formed request with mutations applied in turn."""
        request = route.request(self.host, self.session_cookie if signed_in else None)
        for mutation in mutations:
            request = mutation(request)
        return FuzzCase(route, signed_in, mutations, request)

    def every_route(self, mutation_sets: list[tuple[Mutation, ...]]) -> list[FuzzCase]:
        """Each mutation set applied to every route, without and with a signed-in session."""
        return [
            self.case(route, signed_in, mutations)
            for mutations in mutation_sets
            for route in ROUTES
            for signed_in in (False, True)
        ]

    def one_at_a_time(self, case: FuzzCase) -> list[FuzzCase]:
        """case's route with each of its mutations alone (none when it has only one)."""
        if len(case.mutations) < 2:
            return []
        return [self.case(case.route, case.signed_in, (mutation,)) for mutation in case.mutations]


def cases_per_mutation_set() -> int:
    """How many requests one mutation set becomes."""
    return len(ROUTES) * 2
