"""The standing fuzz suite: over ten thousand malformed, oversized and hostile requests on
every route through nginx, signed in and not; no answer may be a 5xx, and every request gets
one JSON access line from nginx while the services log nothing but JSON lines."""

from __future__ import annotations

import math
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlsplit

from native_stack.stack import NativeStack
from tests.fuzz.corpus import (
    KNOWN_ATTACKS,
    CaseBuilder,
    FuzzCase,
    cases_per_mutation_set,
    drawn_mutation_sets,
)
from tests.fuzz.outcomes import (
    FuzzOutcome,
    failing_classes,
    isolated_failures,
    status_histogram,
)
from tests.fuzz.raw_http import send_raw
from tests.fuzz.stack_logs import LogMark
from tests.support.figures import Figures

MINIMUM_REQUESTS = 10_000
CONCURRENCY = 8
REQUEST_TIMEOUT_SECONDS = 30
LOG_SETTLE_SECONDS = 10


def test_no_request_on_any_route_gets_a_5xx_and_each_is_logged_once(
    fuzz_stack: NativeStack, fuzz_session_cookie: bytes, figures: Figures
) -> None:
    address = urlsplit(fuzz_stack.public_url)
    host, port = address.hostname or "127.0.0.1", address.port or 80
    builder = CaseBuilder(address.netloc.encode(), fuzz_session_cookie)
    drawn = math.ceil(MINIMUM_REQUESTS / cases_per_mutation_set()) - len(KNOWN_ATTACKS) + 1
    cases = builder.every_route([*KNOWN_ATTACKS, *drawn_mutation_sets(drawn)])
    assert len(cases) >= MINIMUM_REQUESTS

    def send_all(batch: list[FuzzCase]) -> list[FuzzOutcome]:
        def send(case: FuzzCase) -> FuzzOutcome:
            answer = send_raw(host, port, case.request, timeout_seconds=REQUEST_TIMEOUT_SECONDS)
            return FuzzOutcome(case, answer)

        with ThreadPoolExecutor(CONCURRENCY) as pool:
            return list(pool.map(send, batch))

    mark = LogMark(fuzz_stack.run_dir / "logs")
    started = time.monotonic()
    outcomes = send_all(cases)
    seconds = time.monotonic() - started
    histogram = status_histogram(outcomes)
    shown = ", ".join(f"{label}: {count}" for label, count in sorted(histogram.items()))
    summary = f"fuzz: {len(outcomes)} requests in {seconds:.1f} s ({shown})"
    print(summary)
    figures.add(summary)

    problems = log_problems(mark, outcomes)
    failures = [outcome for outcome in outcomes if outcome.failed]
    # Each mutation of a failed request alone, so that the report names what fails by itself.
    singles = {
        case.request.to_bytes(): case for f in failures for case in builder.one_at_a_time(f.case)
    }
    alone = {
        outcome.case.request.to_bytes(): outcome for outcome in send_all(list(singles.values()))
    }
    problems = failing_classes(isolated_failures(failures, alone, builder)) + problems
    assert not problems, summary + "\n\n" + "\n\n".join(problems)


def log_problems(mark: LogMark, outcomes: list[FuzzOutcome]) -> list[str]:
    """What is wrong with the logs since mark: nginx's access lines must be one JSON line per
    answer (the same statuses), and every service line must be JSON."""
    expected: Counter[int] = Counter(
        o.answer.status for o in outcomes if o.logged_by_nginx and o.answer.status is not None
    )
    logged, unparsable = mark.nginx_access_statuses()
    deadline = time.monotonic() + LOG_SETTLE_SECONDS
    while logged != expected and time.monotonic() < deadline:
        time.sleep(0.2)
        logged, unparsable = mark.nginx_access_statuses()
    problems = []
    if logged != expected:
        problems.append(
            f"nginx's access log does not match the answers: {sum(logged.values())} lines for "
            f"{sum(expected.values())} answers; missing {dict(expected - logged)}, "
            f"extra {dict(logged - expected)}"
        )
    if unparsable:
        problems.append(f"nginx access lines that are not JSON: {unparsable[:3]!r}")
    for service, shapes in mark.service_lines_not_json().items():
        common = "\n".join(f"    {count} x {shape}" for shape, count in shapes.most_common(6))
        problems.append(
            f"{service}: {shapes.total()} log lines are not JSON, most often:\n{common}"
        )
    return problems
