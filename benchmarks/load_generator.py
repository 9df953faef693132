"""Driving HTTP load with wrk and reading its figures."""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass

DURATION_SECONDS = 10
CONNECTIONS = 16
THREADS = 2


@dataclass(frozen=True)
class LoadFigures:
    """What one wrk run measured."""

    requests_per_second: float
    p50_ms: float
    p99_ms: float
    non_2xx: int
    requests: int = 0  # completed in the run


def wrk_binary() -> str:
    """Return wrk's path or explain how to get it."""
    found = shutil.which("wrk")
    if found is None:
        raise SystemExit("wrk is missing: sudo apt-get install -y wrk")
    return found


def _milliseconds(text: str) -> float:
    value, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", text).groups()  # type: ignore[union-attr]
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def run_wrk(url: str, headers: dict[str, str], *, duration: int = DURATION_SECONDS) -> LoadFigures:
    """Run wrk against url with headers and return its throughput and latency percentiles."""
    argv = [wrk_binary(), "-t", str(THREADS), "-c", str(CONNECTIONS), "-d", f"{duration}s"]
    argv += ["--latency", "--timeout", "10s"]
    for name, value in headers.items():
        argv += ["-H", f"{name}: {value}"]
    output = subprocess.run([*argv, url], capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))  # type: ignore[union-attr]
    p50 = re.search(r"\s50%\s+([\d.]+\w+)", output).group(1)  # type: ignore[union-attr]
    p99 = re.search(r"\s99%\s+([\d.]+\w+)", output).group(1)  # type: ignore[union-attr]
    non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    requests = re.search(r"(\d+) requests in ", output)
    return LoadFigures(
        requests_per_second=rps,
        p50_ms=_milliseconds(p50),
        p99_ms=_milliseconds(p99),
        non_2xx=int(non_2xx.group(1)) if non_2xx else 0,
        requests=int(requests.group(1)) if requests else 0,
    )
