"""GET /graph/me through the stack against its floor (the emulator alone) and our own cost."""

from __future__ import annotations

import collections
import json
import os
import secrets
import statistics
from pathlib import Path

import msal

from benchmarks.load_generator import LoadFigures, run_wrk, wrk_binary
from benchmarks.sign_ins import sign_ins_per_second
from benchmarks.tables import format_table
from native_stack.ports import free_port, port_is_free
from native_stack.processes import ManagedProcess
from native_stack.stack import NativeStack, StackOptions, find_tool
from signin_core.store.record_cipher import RecordCipher
from tests.support.browser import Browser
from tests.support.sign_in import sign_in_through
from tests.support.stack_records import home_account_id_of, stack_token_caches

OTHER_USERS = 100_000
ROUNDS = 5
ROUND_SECONDS = 5
WARM_UP_CALLS = 20
WARM_UP_SECONDS = 2
FLOOR = "floor: emulator /v1.0/me direct"
STACK = "stack: nginx + graph-service + emulator"
WITH_OTHERS = f"stack, {OTHER_USERS:,} other users' caches"
OWN_COST = "own cost: stack with a fixed Graph"
ROW_NAMES = (FLOOR, STACK, WITH_OTHERS, OWN_COST)
SIGN_IN_SECONDS = 15
SIGN_IN_CLIENTS = 4
UNLIMITED_SIGN_INS = {"SIGN_IN_RATE_LIMIT": "100000r/s", "SIGN_IN_RATE_BURST": "100000"}
FIXED_GRAPH_CONF = """
pid fixed-graph.pid;
error_log stderr warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    server {{
        listen 127.0.0.1:{port} ssl;
        ssl_certificate {cert};
        ssl_certificate_key {key};
        location / {{
            default_type application/json;
            return 200 '{{"id":"fixed","displayName":"Fixed answer"}}';
        }}
    }}
}}
"""


def _row(name: str, figures: LoadFigures, floor: LoadFigures) -> list[str]:
    share = figures.requests_per_second / floor.requests_per_second
    return [
        name,
        f"{figures.requests_per_second:.0f}",
        f"{figures.p50_ms:.1f}",
        f"{figures.p99_ms:.1f}",
        f"{share:.0%}",
        str(figures.non_2xx),
    ]


def access_token(stack: NativeStack, home_account_id: str) -> str:
    """An access token from the user's token cache: what a call straight to Graph sends."""
    cache = stack_token_caches(stack).load(home_account_id).cache
    entries = cache.search(msal.TokenCache.CredentialType.ACCESS_TOKEN)
    return str(next(iter(entries))["secret"])


def _sealed_other_users(stack: NativeStack, model_home_account_id: str) -> list[tuple[str, bytes]]:
    """OTHER_USERS sealed token caches of realistic size under other users' keys."""
    caches = stack_token_caches(stack)
    model = caches.load(model_home_account_id).cache.serialize().encode()
    cipher = RecordCipher([stack.data_encryption_keys])
    records = []
    for index in range(OTHER_USERS):
        key = caches.key_for(f"{secrets.token_hex(16)}.{index}")
        records.append((key, cipher.seal(model.replace(b"a", b"b", index % 7), record_name=key)))
    return records


def _store(stack: NativeStack, records: list[tuple[str, bytes]]) -> None:
    with stack.redis_client() as client:
        for start in range(0, len(records), 2000):
            pipeline = client.pipeline(transaction=False)
            for key, value in records[start : start + 2000]:
                pipeline.set(key, value, ex=3600)
            pipeline.execute()


def _remove(stack: NativeStack, records: list[tuple[str, bytes]]) -> None:
    with stack.redis_client() as client:
        for start in range(0, len(records), 2000):
            client.unlink(*(key for key, _ in records[start : start + 2000]))


def _start_fixed_graph(stack: NativeStack, run_dir: Path) -> tuple[ManagedProcess, int]:
    port = free_port()
    conf_dir = run_dir / "fixed-graph"
    conf_dir.mkdir(parents=True, exist_ok=True)
    state = stack.run_dir / "emulator"
    (conf_dir / "nginx.conf").write_text(
        FIXED_GRAPH_CONF.format(port=port, cert=state / "server.crt", key=state / "server.key")
    )
    process = ManagedProcess(
        "fixed-graph",
        [find_tool("nginx") or "nginx", "-p", str(conf_dir), "-c", str(conf_dir / "nginx.conf"),
         "-e", "stderr", "-g", "daemon off;"],
        dict(os.environ),
        conf_dir / "fixed-graph.log",
    )  # fmt: skip
    process.start()
    process.wait_ready(lambda: not port_is_free(port))
    return process, port


def _median(rounds: list[LoadFigures]) -> LoadFigures:
    """Each figure's median over the rounds; failures summed, so that none goes unseen."""
    return LoadFigures(
        requests_per_second=statistics.median(r.requests_per_second for r in rounds),
        p50_ms=statistics.median(r.p50_ms for r in rounds),
        p99_ms=statistics.median(r.p99_ms for r in rounds),
        non_2xx=sum(r.non_2xx for r in rounds),
    )


def _failed_answers_at_nginx(stack: NativeStack) -> str:
    """The statuses of 4xx and 5xx answers nginx logged, e.g. `502 x1`, or `none`.

    499 is left out: it is nginx noting that wrk hung up at the end of a run.
    """
    statuses: collections.Counter[int] = collections.Counter()
    for line in (stack.run_dir / "logs" / "nginx.log").read_text().splitlines():
        if line.startswith("{"):
            status = int(json.loads(line)["status"])
            if status >= 400 and status != 499:
                statuses[status] += 1
    return ", ".join(f"{status} x{count}" for status, count in sorted(statuses.items())) or "none"


def _median_ratio(numerators: list[LoadFigures], denominators: list[LoadFigures]) -> float:
    """The median over rounds of one row's throughput over another's in the same round."""
    return statistics.median(
        top.requests_per_second / bottom.requests_per_second
        for top, bottom in zip(numerators, denominators, strict=True)
    )


def _warm(browser: Browser, url: str, headers: dict[str, str]) -> None:
    """Bring a just-started graph-service to the state it is measured in.

    A few calls check that it answers; then load from as many connections as a measurement
    uses, unmeasured, so that every worker holds its connections to Graph (each a TLS
    handshake) before a measured row, not during it.
    """
    for _ in range(WARM_UP_CALLS):
        assert browser.get(url, headers={"Accept": "application/json"}).status_code == 200
    run_wrk(url, headers, duration=WARM_UP_SECONDS)


def run(run_dir: Path) -> str:
    """Run every Graph throughput measurement on one stack and return the tables.

    The machine's speed drifts, so the four measurements are taken in turn, ROUNDS times,
    and each row is the median of its rounds: every ratio compares figures measured side by
    side, not minutes apart. The stack with and without other users' caches swap places
    every round, so neither is always the one measured first after a restart.
    """
    wrk_binary()  # before starting anything: stop at once when the load generator is missing
    # Every benchmark client comes from 127.0.0.1, so nginx's per-address sign-in limit would
    # measure itself instead of the stack: it is lifted here, and only here.
    options = StackOptions(run_dir=run_dir / "stack", nginx_env=UNLIMITED_SIGN_INS)
    stack = NativeStack(options)
    stack.start()
    fixed_graph: ManagedProcess | None = None
    measured: dict[str, list[LoadFigures]] = {name: [] for name in ROW_NAMES}
    try:
        assert stack.registration is not None
        browser = Browser()
        sign_in_through(browser, stack.public_url, stack.registration.usernames[0])
        graph_me = stack.public_url + "/graph/me"
        cookie = {"Cookie": f"signin_session={browser.http.cookies['signin_session']}"}
        json_accept = {"Accept": "application/json"}
        _warm(browser, graph_me, {**cookie, **json_accept})
        home_account_id = home_account_id_of(stack, browser)
        token = access_token(stack, home_account_id)
        other_users = _sealed_other_users(stack, home_account_id)
        fixed_graph, fixed_port = _start_fixed_graph(stack, run_dir)

        def measure(row: str, url: str, headers: dict[str, str]) -> None:
            measured[row].append(run_wrk(url, headers, duration=ROUND_SECONDS))

        def measure_with_others() -> None:
            _store(stack, other_users)
            measure(WITH_OTHERS, graph_me, {**cookie, **json_accept})
            _remove(stack, other_users)

        for round_number in range(ROUNDS):
            measure(
                FLOOR,
                f"{stack.emulator_url}/v1.0/me",
                {"Authorization": f"Bearer {token}", **json_accept},
            )
            if round_number % 2:
                measure_with_others()
            measure(STACK, graph_me, {**cookie, **json_accept})
            if not round_number % 2:
                measure_with_others()
            stack.options.service_env["GRAPH_BASE_URL"] = f"https://127.0.0.1:{fixed_port}/v1.0"
            stack.start_service("graph-service")
            _warm(browser, graph_me, {**cookie, **json_accept})
            measure(OWN_COST, graph_me, {**cookie, **json_accept})
            del stack.options.service_env["GRAPH_BASE_URL"]
            stack.start_service("graph-service")
            _warm(browser, graph_me, {**cookie, **json_accept})
        assert stack.registration is not None
        sign_ins = sign_ins_per_second(
            stack.public_url,
            stack.registration.usernames,
            "/graph/me",
            SIGN_IN_SECONDS,
            SIGN_IN_CLIENTS,
        )
        browser.close()
    finally:
        if fixed_graph is not None:
            fixed_graph.stop()
        stack.stop()
    failed_at_nginx = _failed_answers_at_nginx(stack)

    figures = {row: _median(rounds) for row, rounds in measured.items()}
    floor = figures[FLOOR]
    header = ["GET /graph/me (warm cache)", "req/s", "p50 ms", "p99 ms", "of floor", "non-2xx"]
    rows = [_row(name, figures[name], floor) for name in ROW_NAMES]
    # The targets compare rows measured next to each other: the median of each round's ratio.
    of_floor = _median_ratio(measured[STACK], measured[FLOOR])
    change = _median_ratio(measured[WITH_OTHERS], measured[STACK]) - 1
    notes = (
        f"each row: the median of {ROUNDS} rounds of {ROUND_SECONDS} s, the four rows measured "
        f"in turn in every round, after a {WARM_UP_SECONDS} s unmeasured warm-up of each "
        f"restarted graph-service; non-2xx: all rounds\n"
        f"4xx and 5xx answers in nginx's log over the whole run: {failed_at_nginx}\n"
        f"stack vs floor: {of_floor:.0%} (target >= 50%); with {OTHER_USERS:,} other users: "
        f"{change:+.1%} (target within 10%); both the median of the rounds' ratios\n"
        f"complete sign-ins per second (authorize, callback, first Graph call; "
        f"{SIGN_IN_CLIENTS} clients, sign-in rate limit lifted): {sign_ins:.1f}\n"
    )
    return format_table("Graph gateway throughput", header, rows) + notes
