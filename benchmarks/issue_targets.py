"""Issue 17's targets, measured side by side in one run on one native stack, and their summary.

Every row of a round is measured in turn with the same load (wrk, benchmarks.load_generator),
so each ratio compares figures taken seconds apart: the floor (the emulator alone, called with
a bearer token), the stack through nginx, and the quickstart-style baseline
(benchmarks/quickstart_baseline), for /me and /users; then complete sign-ins per second of the
stack and of the baseline; then Redis bytes per signed-in user (MEMORY USAGE of every key a
sign-in wrote) with Entra-sized tokens; then the same floor and stack rows with a million other
users' keys in Redis. The emulator issues Entra-sized tokens throughout.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

import redis

from benchmarks.compose_targets import run_compose
from benchmarks.graph_throughput import UNLIMITED_SIGN_INS, _failed_answers_at_nginx, access_token
from benchmarks.load_generator import LoadFigures, run_wrk, wrk_binary
from benchmarks.other_users import (
    UserKeys,
    bytes_of,
    keep_only,
    key_kind,
    populate,
    signin_keys,
)
from benchmarks.process_groups import PeakSampler, group_rss_bytes
from benchmarks.quickstart_baseline.server import BaselineServer
from benchmarks.redis_bytes import _add_users
from benchmarks.sign_ins import JSON, sign_ins_per_second, signed_in
from benchmarks.summary import AT_LEAST, AT_MOST, WITHIN, Measured, Target, summary_table
from benchmarks.tables import format_table
from native_stack.stack import NativeStack, StackOptions
from tests.support.browser import Browser
from tests.support.sign_in import sign_in_through
from tests.support.stack_records import home_account_id_of

ACCESS_TOKEN_LENGTH = 2048  # Entra's: about 1,600-2,500 characters
REFRESH_TOKEN_LENGTH = 1400  # Entra's: about 1,400
ENTRA_SIZED_TOKENS = {
    "EMULATOR_ACCESS_TOKEN_LENGTH": str(ACCESS_TOKEN_LENGTH),
    "EMULATOR_REFRESH_TOKEN_LENGTH": str(REFRESH_TOKEN_LENGTH),
}
SIGN_IN_CLIENTS = 4

TARGETS = {
    "me_floor": Target("GET /graph/me req/s, of the floor", AT_LEAST, 0.80, "%"),
    "users_floor": Target("GET /graph/users req/s, of the floor", AT_LEAST, 0.80, "%"),
    "me_p99": Target("GET /graph/me p99, x the floor's", AT_MOST, 1.5),
    "users_p99": Target("GET /graph/users p99, x the floor's", AT_MOST, 1.5),
    "me_baseline": Target("GET /graph/me req/s, x the baseline's /me", AT_LEAST, 6.0),
    "users_baseline": Target("GET /graph/users req/s, x baseline /graphcall", AT_LEAST, 6.0),
    "sign_ins": Target("complete sign-ins/s, x the baseline's", AT_LEAST, 3.0),
    "others": Target("/graph/me with other users, change", WITHIN, 0.10, "%"),
    "bytes": Target("Redis bytes per signed-in user", AT_MOST, 3072, "bytes"),
}
OTHERS = ", others"  # the rows measured with the other users in Redis
AFTER = ", after"  # the rows measured once they are gone again
COMPOSE = "compose: "  # the prefix of the compose stack's targets


def floor_targets(rows: Rows, prefix: str) -> list[Measured]:
    """The four targets against the floor: req/s and p99 for /graph/me and /graph/users."""
    results = []
    for route, floor in (("/graph/me", "/v1.0/me"), ("/graph/users", "/v1.0/users")):
        stack_row, floor_row = f"stack {route}", f"floor {floor}"
        key = route.removeprefix("/graph/")
        share, p99 = TARGETS[f"{key}_floor"], TARGETS[f"{key}_p99"]
        results.append(
            Measured(
                replace(share, name=prefix + share.name),
                f"{rows.rps(stack_row)} vs {rows.rps(floor_row)} req/s",
                rows.ratio(stack_row, floor_row, _rps),
            )
        )
        results.append(
            Measured(
                replace(p99, name=prefix + p99.name),
                f"{rows.median(stack_row, _p99):.1f} vs {rows.median(floor_row, _p99):.1f} ms",
                rows.ratio(stack_row, floor_row, _p99),
            )
        )
    return [results[0], results[2], results[1], results[3]]


def bytes_target(sizes: list[int], prefix: str) -> Measured:
    """Redis bytes per signed-in user: the mean over the users measured."""
    target = TARGETS["bytes"]
    mean = statistics.mean(sizes)
    return Measured(
        replace(target, name=prefix + target.name), f"{mean:,.0f} (mean of {len(sizes)})", mean
    )


def detail_table(title: str, rows: Rows) -> str:
    """Every row's median req/s, p50 and p99, and its non-2xx answers over all rounds."""
    header = ["row (median of rounds)", "req/s", "p50 ms", "p99 ms", "non-2xx"]
    detail = [
        [row, rows.rps(row), f"{rows.median(row, lambda f: f.p50_ms):.1f}",
         f"{rows.median(row, _p99):.1f}", str(sum(f.non_2xx for f in rounds))]
        for row, rounds in rows.rounds.items()
    ]  # fmt: skip
    return format_table(title, header, detail)


def _compose_part(plan: RunPlan, run_dir: Path) -> tuple[str, list[Measured]]:
    """The compose stack's tables and targets; when it cannot run, targets that say why."""
    missing = [
        replace(t, name=COMPOSE + t.name)
        for t in (*(TARGETS[k] for k in ("me_floor", "me_p99", "users_floor", "users_p99")),
                  TARGETS["bytes"])
    ]  # fmt: skip
    if not plan.compose:
        return "", [
            Measured(t, "not run: the run plan leaves the compose stack out", None) for t in missing
        ]
    try:
        figures = run_compose(
            run_dir,
            rounds=plan.rounds,
            round_seconds=plan.round_seconds,
            measured_users=plan.compose_users,
            token_env=ENTRA_SIZED_TOKENS,
        )
    except Exception as error:  # noqa: BLE001 - the native figures still stand
        lines = str(error).strip().splitlines() or [type(error).__name__]
        reason = f"did not run: {lines[-1][:60]}"
        text = "compose stack did not run:\n" + "\n".join(lines[-8:]) + "\n\n"
        return text, [Measured(t, reason, None) for t in missing]
    rows = Rows(figures.rounds)
    text = (
        detail_table("Side by side (compose stack)", rows)
        + f"Redis bytes per user (compose): {', '.join(map(str, figures.bytes_per_user))}\n\n"
        + _memory_table("service (compose)", figures.memory_at_rest, figures.memory_peak)
        + "\n"
    )
    return text, [
        *floor_targets(rows, COMPOSE),
        bytes_target(figures.bytes_per_user, COMPOSE),
    ]  # fmt: skip


@dataclass(frozen=True)
class RunPlan:
    """How long and how much: the knobs of one run."""

    rounds: int = 3
    round_seconds: int = 5
    sign_in_seconds: int = 8
    other_users: int = 1_000_000
    measured_users: int = 10  # signed in one by one for Redis bytes per user
    compose: bool = True  # also measure the compose stack on the container engine
    compose_users: int = 3
    workers: int = 2  # per service, the baseline's too

    @classmethod
    def quick(cls, *, compose: bool = True) -> RunPlan:
        """A short run to check the harness end to end (its figures mean little)."""
        return cls(rounds=1, round_seconds=3, sign_in_seconds=4, other_users=20_000,
                   measured_users=3, compose=compose, compose_users=2)  # fmt: skip


@dataclass
class Rows:
    """Every measured round, by row name."""

    rounds: dict[str, list[LoadFigures]] = field(default_factory=dict)

    def add(self, row: str, figures: LoadFigures) -> None:
        """Keep one round's figures of row."""
        self.rounds.setdefault(row, []).append(figures)

    def ratios(self, top: str, bottom: str, of: Callable[[LoadFigures], float]) -> list[float]:
        """of(top) / of(bottom) in each round, both from the same round."""
        pairs = zip(self.rounds[top], self.rounds[bottom], strict=True)
        return [of(a) / of(b) for a, b in pairs]

    def ratio(self, top: str, bottom: str, of: Callable[[LoadFigures], float]) -> float:
        """The median over rounds of of(top) / of(bottom), both from the same round."""
        return statistics.median(self.ratios(top, bottom, of))

    def rps(self, row: str) -> str:
        """The median req/s of row, as printed."""
        return f"{self.median(row, _rps):.0f}"

    def median(self, row: str, of: Callable[[LoadFigures], float]) -> float:
        """The median of one figure of row over its rounds."""
        return statistics.median(of(figures) for figures in self.rounds[row])


def _rps(figures: LoadFigures) -> float:
    return figures.requests_per_second


def _p99(figures: LoadFigures) -> float:
    return figures.p99_ms


def _bytes_per_user(
    stack: NativeStack, admin: redis.Redis, count: int
) -> tuple[list[int], UserKeys]:
    """Sign new users in one by one; the MEMORY USAGE of every key each one's sign-in (and
    first /graph/me) wrote, and the first one's keys as the model of other users."""
    sizes: list[int] = []
    model: UserKeys | None = None
    for username in _add_users(stack, count):
        before = signin_keys(admin)
        with Browser() as browser:
            sign_in_through(browser, stack.public_url, username)
            assert browser.get(stack.public_url + "/graph/me", headers=JSON).ok
            home_account_id = home_account_id_of(stack, browser)
        written = signin_keys(admin) - before
        sizes.append(bytes_of(admin, written))
        model = model or UserKeys.read(admin, written, home_account_id)
    assert model is not None
    return sizes, model


def _used_memory(admin: redis.Redis) -> int:
    return int(admin.info("memory")["used_memory"])


def _memory_table(what: str, at_rest: dict[str, int], under_load: dict[str, int]) -> str:
    rows = [
        [name, f"{at_rest[name] / 2**20:.0f}", f"{under_load.get(name, 0) / 2**20:.0f}"]
        for name in at_rest
    ]
    header = [what, "memory at rest MiB", "peak under load MiB"]
    return format_table("Memory per service", header, rows)


def run(run_dir: Path, quick: bool = False) -> str:
    """Measure every target on one stack and return the detail tables and the summary."""
    plan = RunPlan.quick() if quick else RunPlan()
    wrk_binary()
    options = StackOptions(
        run_dir=run_dir / "stack",
        nginx_env=dict(UNLIMITED_SIGN_INS),
        emulator_env=dict(ENTRA_SIZED_TOKENS),
        redis_maxmemory="0",  # a million users need more than the images' 256mb
        auth_workers=plan.workers,
        graph_workers=plan.workers,
    )
    stack = NativeStack(options)
    stack.start()
    baseline = BaselineServer(stack, run_dir / "baseline", workers=plan.workers)
    rows = Rows()
    try:
        baseline.start()
        assert stack.registration is not None
        usernames = stack.registration.usernames
        admin = stack.redis_client(admin=True)
        stack_browser, stack_headers = signed_in(
            stack.public_url, usernames[0], "signin_session", "/graph/me"
        )
        base_browser, base_headers = signed_in(baseline.url, usernames[0], "session", "/me")
        token = access_token(stack, home_account_id_of(stack, stack_browser))
        bearer = {"Authorization": f"Bearer {token}", **JSON}
        loads = {
            "floor /v1.0/me": (f"{stack.emulator_url}/v1.0/me", bearer),
            "floor /v1.0/users": (f"{stack.emulator_url}/v1.0/users", bearer),
            "stack /graph/me": (stack.public_url + "/graph/me", stack_headers),
            "stack /graph/users": (stack.public_url + "/graph/users", stack_headers),
            "baseline /me": (baseline.url + "/me", base_headers),
            "baseline /graphcall": (baseline.url + "/graphcall", base_headers),
        }
        groups = {name: p.popen.pid for name, p in stack.processes.items() if p.popen}
        groups["quickstart-baseline"] = baseline.process.popen.pid  # type: ignore[union-attr]
        at_rest = {name: group_rss_bytes(leader) for name, leader in groups.items()}
        sign_ins: dict[str, list[float]] = {"stack": [], "baseline": []}
        with PeakSampler(groups) as under_load:
            for _ in range(plan.rounds):
                for row, (url, headers) in loads.items():
                    rows.add(row, run_wrk(url, headers, duration=plan.round_seconds))
                for name, origin, first_call in (
                    ("stack", stack.public_url, "/graph/users"),
                    ("baseline", baseline.url, "/graphcall"),
                ):
                    sign_ins[name].append(
                        sign_ins_per_second(
                            origin, usernames, first_call, plan.sign_in_seconds, SIGN_IN_CLIENTS
                        )
                    )
        sizes, model = _bytes_per_user(stack, admin, plan.measured_users)
        model_key_bytes = {key_kind(key): bytes_of(admin, {key}) for key in model.dumps}
        signed_in_so_far = signin_keys(admin)
        memory_before = _used_memory(admin)
        populate_seconds = populate(admin, model, plan.other_users)
        memory_after = _used_memory(admin)

        def measure_me(suffix: str) -> None:
            for _ in range(plan.rounds):
                for row in ("floor /v1.0/me", "stack /graph/me"):
                    url, headers = loads[row]
                    rows.add(row + suffix, run_wrk(url, headers, duration=plan.round_seconds))

        measure_me(OTHERS)
        removal_seconds = keep_only(admin, signed_in_so_far)
        measure_me(AFTER)
        stack_browser.close()
        base_browser.close()
        admin.close()
    finally:
        baseline.stop()
        stack.stop()

    # Alone: the rounds before the other users came and after they went, so that a drift of
    # the machine's speed over the run does not pass for their effect.
    of_floor_alone = statistics.median(
        rows.ratios("stack /graph/me", "floor /v1.0/me", _rps)
        + rows.ratios("stack /graph/me" + AFTER, "floor /v1.0/me" + AFTER, _rps)
    )
    of_floor_others = rows.ratio("stack /graph/me" + OTHERS, "floor /v1.0/me" + OTHERS, _rps)
    sign_in_ratio = statistics.median(
        s / b for s, b in zip(sign_ins["stack"], sign_ins["baseline"], strict=True)
    )
    key_sizes = ", ".join(f"{kind} {size}" for kind, size in model_key_bytes.items())

    native = floor_targets(rows, "")
    results = [
        *native[:4],
        Measured(TARGETS["me_baseline"],
                 f"{rows.rps('stack /graph/me')} vs {rows.rps('baseline /me')} req/s",
                 rows.ratio("stack /graph/me", "baseline /me", _rps)),
        Measured(TARGETS["users_baseline"],
                 f"{rows.rps('stack /graph/users')} vs {rows.rps('baseline /graphcall')} req/s",
                 rows.ratio("stack /graph/users", "baseline /graphcall", _rps)),
        Measured(TARGETS["sign_ins"],
                 f"{statistics.median(sign_ins['stack']):.1f} vs "
                 f"{statistics.median(sign_ins['baseline']):.1f} /s",
                 sign_in_ratio),
        Measured(TARGETS["others"],
                 f"{plan.other_users:,} others: {of_floor_others:.0%} of the floor, "
                 f"{of_floor_alone:.0%} alone",
                 of_floor_others / of_floor_alone - 1),
        bytes_target(sizes, ""),
    ]  # fmt: skip
    compose_text, compose_results = _compose_part(plan, run_dir / "compose")
    results += compose_results
    notes = (
        f"{plan.rounds} round(s) of {plan.round_seconds} s per row, wrk -t2 -c16; "
        f"{plan.workers} workers per service (baseline: gunicorn sync); sign-ins: "
        f"{SIGN_IN_CLIENTS} clients, {plan.sign_in_seconds} s per round\n"
        f"4xx and 5xx answers in nginx's log: {_failed_answers_at_nginx(stack)}\n"
        f"Redis bytes per user (MEMORY USAGE of every key a sign-in and first /graph/me wrote, "
        f"{len(model.dumps)} keys; tokens: access {ACCESS_TOKEN_LENGTH}, refresh "
        f"{REFRESH_TOKEN_LENGTH} characters): "
        f"{', '.join(str(size) for size in sizes)}; the first user's keys: {key_sizes}\n"
        f"{plan.other_users:,} other users populated in {populate_seconds:.1f} s (pipelined "
        f"RESTORE); Redis used_memory {memory_before / 2**20:,.0f} MiB -> "
        f"{memory_after / 2**20:,.0f} MiB ({(memory_after - memory_before) / plan.other_users:,.0f}"
        f" bytes per user); no append-only file (the native stack runs Redis without one); "
        f"removed in {removal_seconds:.1f} s (FLUSHDB ASYNC, the signed-in users restored)\n"
        f"with other users: the stack's share of the floor in the rows '{OTHERS[2:]}', against "
        f"its share in the rounds before they came and in the rows '{AFTER[2:]}' they went\n"
    )
    return (
        detail_table("Side by side (native stack)", rows)
        + notes
        + "\n"
        + _memory_table("process group (native)", at_rest, under_load.peaks)
        + "\n"
        + compose_text
        + summary_table(results)
    )
