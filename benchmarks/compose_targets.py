"""The floor and stack rows and Redis bytes per user on the compose stack, on the container
engine: the repository's compose files and images (tagged BENCH_TAG), as CI builds them."""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import requests

from benchmarks.graph_throughput import UNLIMITED_SIGN_INS
from benchmarks.load_generator import LoadFigures, run_wrk
from benchmarks.sign_ins import JSON
from native_stack.emulator_registration import read_seeded_registration
from native_stack.ports import free_port
from native_stack.repository import REPO_ROOT
from tests.container_stack.compose_project import ComposeProject, docker, engine_problem
from tests.support.browser import Browser
from tests.support.sign_in import sign_in_through

BENCH_TAG = "bench"
COMPOSE_FILES = [
    REPO_ROOT / "docker-compose.yml",
    REPO_ROOT / "docker-compose.override.yml",
    REPO_ROOT / "benchmarks" / "compose.bench.yml",
]
SESSION_COOKIE = "signin_session"
# Run in graph-service's container (on Redis's network, with the stack's keys): every key of
# the namespace with its MEMORY USAGE, and, given a home account id, its access token.
REDIS_PROBE = """
import json, os, sys
from signin_core.store.byte_store import RedisByteStore
from signin_core.store.record_cipher import RecordCipher
from signin_core.store.redis_connection import connect_redis
from signin_core.tokens import TokenCacheRecords
connection = connect_redis(os.environ["REDIS_URL"], password=os.environ["REDIS_PASSWORD"])
client = connection.client()
sizes = {key.decode(): client.memory_usage(key, samples=0) or 0
         for key in client.scan_iter(match="signin:*", count=10000)}
token = None
if len(sys.argv) > 1:
    caches = TokenCacheRecords(
        RedisByteStore(connection), RecordCipher(os.environ["DATA_ENCRYPTION_KEYS"].split(",")),
        client_id=os.environ["CLIENT_ID"], ttl_seconds=3600)
    entries = caches.load(sys.argv[1]).cache.search("AccessToken")
    token = next(iter(entries))["secret"]
print(json.dumps({"sizes": sizes, "token": token}))
"""
MEMORY = re.compile(r"([\d.]+)\s*([KMG]i?B|B)")
UNITS = {"B": 1, "KiB": 2**10, "MiB": 2**20, "GiB": 2**30, "KB": 10**3, "MB": 10**6, "GB": 10**9}


@dataclass
class ComposeFigures:
    """What the compose run measured."""

    rounds: dict[str, list[LoadFigures]] = field(default_factory=dict)
    bytes_per_user: list[int] = field(default_factory=list)
    memory_at_rest: dict[str, int] = field(default_factory=dict)
    memory_peak: dict[str, int] = field(default_factory=dict)


def memory_bytes(text: str) -> int:
    """docker stats' memory usage (`12.5MiB / 23.5GiB`): its first figure in bytes."""
    found = MEMORY.search(text)
    if found is None:
        raise ValueError(f"no memory figure in {text!r}")
    return int(float(found.group(1)) * UNITS[found.group(2)])


def container_memory(project: ComposeProject) -> dict[str, int]:
    """Each service's memory use (its cgroup's, as docker stats reports it), by service."""
    ids = project.container_ids()
    answer = docker("stats", "--no-stream", "--format", "{{.ID}} {{.MemUsage}}", *ids)
    services = {
        cid[:12]: json.loads(docker("inspect", "--format", "{{json .Config.Labels}}", cid).stdout)[
            "com.docker.compose.service"
        ]
        for cid in ids
    }
    usage: dict[str, int] = {}
    for line in answer.stdout.splitlines():
        short_id, _, memory = line.partition(" ")
        service = services[short_id[:12]]
        usage[service] = usage.get(service, 0) + memory_bytes(memory)
    return usage


@contextmanager
def peak_memory(project: ComposeProject, peaks: dict[str, int]) -> Iterator[None]:
    """Sample container_memory in a thread while the block runs; keep each service's peak."""
    stopped = threading.Event()

    def sample() -> None:
        while not stopped.is_set():
            for service, used in container_memory(project).items():
                peaks[service] = max(peaks.get(service, 0), used)

    thread = threading.Thread(target=sample, daemon=True)
    thread.start()
    try:
        yield
    finally:
        stopped.set()
        thread.join()


@dataclass(frozen=True)
class RedisProbe:
    """What REDIS_PROBE saw: MEMORY USAGE by key, and the access token it was asked for."""

    sizes: dict[str, int]
    token: str | None

    def home_account_id(self, before: RedisProbe) -> str:
        """The home account id of the one user whose token cache is new since before."""
        caches = [key for key in self.sizes if ":tokencache:" in key and key not in before.sizes]
        assert len(caches) == 1, caches
        return caches[0].split("{user:")[1].split("}")[0]


def probe_redis(project: ComposeProject, home_account_id: str | None = None) -> RedisProbe:
    """Run REDIS_PROBE in graph-service's container."""
    args = [home_account_id] if home_account_id else []
    answer = project.exec_python("graph-service", REDIS_PROBE, args=args)
    return RedisProbe({str(k): int(v) for k, v in answer["sizes"].items()}, answer["token"])


def _bytes_per_user(
    project: ComposeProject, public_url: str, emulator_url: str, ca_file: Path, count: int
) -> list[int]:
    """Add count users and sign each in; the MEMORY USAGE of every key each one's sign-in (and
    first /graph/me) wrote."""
    sizes = []
    with requests.Session() as http:
        http.trust_env = False  # REQUESTS_CA_BUNDLE would win over verify
        http.verify = str(ca_file)
        for number in range(count):
            before = set(probe_redis(project).sizes)
            username = f"bench.compose{number}@contoso.example"
            http.post(
                emulator_url + "/_control/users",
                json={"userPrincipalName": username, "displayName": f"Bench {number}"},
                timeout=10,
            ).raise_for_status()
            with Browser() as browser:
                sign_in_through(browser, public_url, username)
                assert browser.get(public_url + "/graph/me", headers=JSON).ok
            after = probe_redis(project).sizes
            sizes.append(sum(size for key, size in after.items() if key not in before))
    return sizes


def _loads(
    project: ComposeProject, public_url: str, emulator_url: str, username: str
) -> dict[str, tuple[str, dict[str, str]]]:
    """Sign username in (and warm up); the rows to measure: URL and wrk's headers of each."""
    before_sign_in = probe_redis(project)
    with Browser() as browser:
        sign_in_through(browser, public_url, username)
        cookie = {"Cookie": f"{SESSION_COOKIE}={browser.http.cookies[SESSION_COOKIE]}", **JSON}
        for _ in range(20):
            assert browser.get(public_url + "/graph/me", headers=JSON).ok
    home = probe_redis(project).home_account_id(before_sign_in)
    bearer = {"Authorization": f"Bearer {probe_redis(project, home).token}", **JSON}
    return {
        "floor /v1.0/me": (emulator_url + "/v1.0/me", bearer),
        "floor /v1.0/users": (emulator_url + "/v1.0/users", bearer),
        "stack /graph/me": (public_url + "/graph/me", cookie),
        "stack /graph/users": (public_url + "/graph/users", cookie),
    }


def run_compose(
    run_dir: Path,
    *,
    rounds: int,
    round_seconds: int,
    measured_users: int,
    token_env: dict[str, str],
) -> ComposeFigures:
    """Bring the compose stack up, measure, and take it down (volumes too)."""
    problem = engine_problem()
    if problem is not None:
        raise RuntimeError(problem)
    public_port, emulator_port = free_port(), free_port()
    project = ComposeProject(
        "bench-17-compose",
        COMPOSE_FILES,
        {
            "TAG": BENCH_TAG,
            "PUBLIC_PORT": str(public_port),
            "PUBLIC_TLS_PORT": str(free_port()),
            "BENCH_EMULATOR_PORT": str(emulator_port),
            **UNLIMITED_SIGN_INS,  # every client comes from one address
            **token_env,
        },
    )
    figures = ComposeFigures()
    public_url = f"http://localhost:{public_port}"
    emulator_url = f"https://127.0.0.1:{emulator_port}"
    registration = read_seeded_registration()
    run_dir.mkdir(parents=True, exist_ok=True)
    project.down()  # what an interrupted run may have left
    try:
        project.compose("build", timeout=1800)  # from cache when the images are current
        project.up()
        ca_file = run_dir / "emulator-ca.crt"
        ca_file.write_text(
            project.compose("exec", "-T", "emulator", "cat", "/var/lib/emulator/ca.crt").stdout
        )
        figures.bytes_per_user = _bytes_per_user(
            project, public_url, emulator_url, ca_file, measured_users
        )
        loads = _loads(project, public_url, emulator_url, registration.usernames[0])
        figures.memory_at_rest = container_memory(project)
        with peak_memory(project, figures.memory_peak):
            for _ in range(rounds):
                for row, (url, headers) in loads.items():
                    result = run_wrk(url, headers, duration=round_seconds)
                    figures.rounds.setdefault(row, []).append(result)
    finally:
        project.down()
    return figures
