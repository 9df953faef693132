"""CPU time per warm Graph request through the stack, per process, and where it goes inside.

Throughput on this machine drifts by 10-15% from one window to the next; CPU time spent per
request does not much: each process's utime + stime (from /proc) is read before and after
wrk sends warm GET /graph/me (then /graph/users) requests with one signed-in session, and
divided by the requests wrk completed. Every process of a service counts (nginx's master and
workers, gunicorn's arbiter and workers): they share the service's process group.

With py-spy installed (`pip install py-spy`, run as root or with ptrace allowed), a second
run of the same load is sampled in auth-service, graph-service and the emulator, and each
sample is put in the first category below whose code is on its stack: what inside a
service costs the most, as a share of its CPU and in ms per request.
"""

from __future__ import annotations

import collections
import os
import re
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from benchmarks.graph_throughput import UNLIMITED_SIGN_INS, access_token
from benchmarks.load_generator import LoadFigures, run_wrk, wrk_binary
from benchmarks.process_groups import group_cpu_seconds
from benchmarks.sign_ins import signed_in
from benchmarks.tables import format_table
from native_stack.stack import NativeStack, StackOptions
from tests.support.stack_records import home_account_id_of

MEASURE_SECONDS = 8
PROFILE_SECONDS = 8
PROFILE_RATE = 250  # samples per second and process
WARM_UP_SECONDS = 2
PATHS = ("/graph/me", "/graph/users")
SERVICES = ("nginx", "auth-service", "graph-service", "emulator", "redis")
PROFILED = ("auth-service", "graph-service", "emulator")
TOP_FUNCTIONS = 6


# (category, pattern on a frame's "function (file:line)"), the first one on a sample's stack
# wins: logging's JSON formatting counts as logging, a session's Redis GET as Redis. py-spy
# names a library's file from its package (`(redis/client.py:...)`).
def _package(*names: str) -> str:
    return r"[(/](?:" + "|".join(names) + ")/"


def _files(*names: str) -> str:
    return r"[(/](?:" + "|".join(re.escape(name) for name in names) + "):"


CATEGORIES = (
    ("logging", _package("logging") + "|request_logging|gunicorn_logging"),
    ("metrics (prometheus_client)", _package("prometheus_client") + "|metrics\\.py"),
    ("JWT: sign, verify (HS256, ES256, RS256)",
     _package("jwt") + "|" + _files("assertions.py", "app_principal.py")),
    ("sealing (AES-GCM, keyed names)", _files("record_cipher.py", "keyed_names.py")),
    ("Redis round trips", _package("redis")),
    ("MSAL (token cache, silent)", _package("msal")),
    ("HTTP client to Graph (urllib3)", _package("urllib3") + "|" + _files("graph_transport.py")),
    ("JSON (json, msgspec)", _package("json", "msgspec")),
    ("route policy, identity headers", _files("route_policy.py", "app_identity_headers.py")),
)  # fmt: skip
# A sample in none of those: by its innermost frame, where the time was spent.
OWN_CATEGORIES = (
    ("sockets, event loop (gevent, ssl)",
     _package("gevent") + "|" + _files("ssl.py", "socket.py", "selectors.py", "thread.py")),
    ("gunicorn (HTTP parsing, writing)", _package("gunicorn")),
    ("Flask, werkzeug, flask_session", _package("flask", "werkzeug", "flask_session")),
)  # fmt: skip
OTHER = "other (the service's own code)"


@dataclass(frozen=True)
class Measurement:
    """One load run: what wrk saw, and the CPU seconds each service spent meanwhile."""

    figures: LoadFigures
    cpu_seconds: dict[str, float]

    def cpu_ms_per_request(self, service: str) -> float:
        """A service's CPU milliseconds per request of the run."""
        return 1000 * self.cpu_seconds.get(service, 0.0) / max(self.figures.requests, 1)


def service_groups(stack: NativeStack) -> dict[str, int]:
    """Each measured service's process group (its managed process leads one)."""
    groups = {}
    for name in SERVICES:
        popen = stack.processes[name].popen
        assert popen is not None, f"{name} is not running"
        groups[name] = popen.pid
    return groups


def measure(url: str, headers: dict[str, str], groups: dict[str, int]) -> Measurement:
    """Load url for MEASURE_SECONDS; CPU seconds per service over the run."""
    before = {name: group_cpu_seconds(group) for name, group in groups.items()}
    figures = run_wrk(url, headers, duration=MEASURE_SECONDS)
    after = {name: group_cpu_seconds(group) for name, group in groups.items()}
    return Measurement(figures, {name: after[name] - before[name] for name in groups})


def py_spy_binary() -> str | None:
    """py-spy's path (beside this Python, or on PATH), or None."""
    beside = Path(sys.executable).with_name("py-spy")
    return str(beside) if beside.exists() else shutil.which("py-spy")


def profile(
    py_spy: str, url: str, headers: dict[str, str], groups: dict[str, int], run_dir: Path
) -> dict[str, collections.Counter[str]]:
    """Sample PROFILED services while wrk loads url: each one's stacks, as py-spy's raw
    (collapsed) lines `frame;frame;... count`."""
    run_dir.mkdir(parents=True, exist_ok=True)
    samplers = {}
    for name in PROFILED:
        output = run_dir / f"{name}.txt"
        argv = [py_spy, "record", "--pid", str(groups[name]), "--subprocesses", "--nonblocking"]
        argv += ["--rate", str(PROFILE_RATE), "--duration", str(PROFILE_SECONDS + 2)]
        argv += ["--format", "raw", "--output", str(output)]
        log = open(run_dir / f"{name}.log", "wb")  # noqa: SIM115 - closed below
        samplers[name] = (subprocess.Popen(argv, stdout=log, stderr=log), output, log)
    time.sleep(1)  # py-spy attaches
    run_wrk(url, headers, duration=PROFILE_SECONDS)
    stacks: dict[str, collections.Counter[str]] = {}
    for name, (sampler, output, log) in samplers.items():
        sampler.wait(PROFILE_SECONDS + 30)
        log.close()
        stacks[name] = collections.Counter()
        for line in output.read_text().splitlines() if output.exists() else []:
            stack, _, count = line.rpartition(" ")
            stacks[name][stack] += int(count)
    return stacks


def category_of(stack: str) -> str:
    """The first category whose code is on the stack, else the one of its innermost frame."""
    frames = [frame for frame in stack.split(";") if not frame.startswith("process ")]
    for category, pattern in CATEGORIES:
        if any(re.search(pattern, frame) for frame in frames):
            return category
    for category, pattern in OWN_CATEGORIES:
        if frames and re.search(pattern, frames[-1]):
            return category
    return OTHER


def own_function(stack: str) -> str:
    """The innermost frame: where the sample's CPU was spent."""
    return stack.rsplit(";", 1)[-1]


def profile_tables(
    stacks: dict[str, collections.Counter[str]], measured: Measurement, path: str
) -> str:
    """Per profiled service: CPU by category (share, ms per request), then its costliest
    functions by own time."""
    text = ""
    for name, samples in stacks.items():
        total = sum(samples.values())
        if not total:
            text += f"{name}: no samples (py-spy could not attach? see its log)\n"
            continue
        per_request = measured.cpu_ms_per_request(name)
        by_category: collections.Counter[str] = collections.Counter()
        by_function: collections.Counter[str] = collections.Counter()
        for stack, count in samples.items():
            by_category[category_of(stack)] += count
            by_function[own_function(stack)] += count
        rows = [
            [category, f"{count / total:.0%}", f"{per_request * count / total:.3f}"]
            for category, count in by_category.most_common()
        ]
        title = f"{name}, GET {path}: where its {per_request:.2f} ms of CPU per request go"
        text += format_table(title, ["on the stack", "share", "ms/request"], rows)
        text += f"({total} samples) costliest functions by own time:\n"
        for function, count in by_function.most_common(TOP_FUNCTIONS):
            text += f"  {count / total:4.0%}  {function}\n"
        text += "\n"
    return text


def breakdown_table(measured: dict[str, Measurement]) -> str:
    """CPU ms per request per service, one column per measured path."""
    header = ["CPU ms per request", *measured]
    rows = [
        [name, *(f"{run.cpu_ms_per_request(name):.3f}" for run in measured.values())]
        for name in SERVICES
    ]
    rows.append(
        ["all processes", *(f"{sum(run.cpu_ms_per_request(n) for n in SERVICES):.3f}"
                            for run in measured.values())]
    )  # fmt: skip
    rows.append(["requests", *(str(run.figures.requests) for run in measured.values())])
    rows.append(["req/s", *(f"{run.figures.requests_per_second:.0f}" for run in measured.values())])
    rows.append(["non-2xx", *(str(run.figures.non_2xx) for run in measured.values())])
    return format_table("CPU per warm Graph request, per process", header, rows)


def run(run_dir: Path) -> str:
    """Measure CPU per request per process for each path and the emulator's floor, then
    profile the services under the same load."""
    wrk_binary()
    stack = NativeStack(StackOptions(run_dir=run_dir / "stack", nginx_env=UNLIMITED_SIGN_INS))
    stack.start()
    try:
        assert stack.registration is not None
        browser, headers = signed_in(
            stack.public_url, stack.registration.usernames[0], "signin_session", PATHS[0]
        )
        groups = service_groups(stack)
        measured: dict[str, Measurement] = {}
        for path in PATHS:
            assert browser.get(stack.public_url + path, headers=headers).status_code == 200
            run_wrk(stack.public_url + path, headers, duration=WARM_UP_SECONDS)
            measured[f"GET {path}"] = measure(stack.public_url + path, headers, groups)
        token = access_token(stack, home_account_id_of(stack, browser))
        measured["floor: emulator /v1.0/me"] = measure(
            f"{stack.emulator_url}/v1.0/me",
            {"Authorization": f"Bearer {token}", "Accept": "application/json"},
            groups,
        )
        text = breakdown_table(measured)
        text += (
            f"each column: utime+stime deltas of every process of each service over "
            f"{MEASURE_SECONDS} s of wrk -t2 -c16 with one warm session, over the requests "
            f"wrk completed; clock ticks are {1000 // os.sysconf('SC_CLK_TCK')} ms\n\n"
        )
        py_spy = py_spy_binary()
        if py_spy is None:
            text += "no profile: py-spy is missing (pip install py-spy)\n"
        else:
            path = PATHS[0]
            stacks = profile(py_spy, stack.public_url + path, headers, groups, run_dir / "py-spy")
            text += profile_tables(stacks, measured[f"GET {path}"], path)
        browser.close()
    finally:
        stack.stop()
    return text
