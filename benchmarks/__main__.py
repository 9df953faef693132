"""`make bench`: run every benchmark module and print one table each.

A benchmark is a module in this package with `run(run_dir: Path) -> str`, which starts what
it needs under run_dir, measures, stops everything and returns its table(s) as text; one whose
run also takes `quick` gets `--quick` (a short run, to try the harness). Add a new one by
writing the module and naming it in BENCHMARKS.
"""

from __future__ import annotations

import argparse
import importlib
import inspect
import sys
import tempfile
import time
import traceback
from pathlib import Path
from typing import Protocol, cast

BENCHMARKS = (
    "redis_bytes",  # Redis bytes per signed-in user (session + token cache)
    "graph_throughput",  # GET /graph/me through the stack against the emulator floor
    "cpu_breakdown",  # CPU ms per warm Graph request, per process, and a profile of each
    # Last, so that its summary ends the output: every target of issue 17 from one run.
    "issue_targets",
)


class Benchmark(Protocol):
    """What every benchmark module provides."""

    def run(self, run_dir: Path) -> str:
        """Measure, and return the results as plain-text tables."""
        ...


def load_benchmark(name: str) -> Benchmark:
    """Import benchmarks.<name>."""
    return cast(Benchmark, importlib.import_module(f"benchmarks.{name}"))


def run_benchmark(benchmark: Benchmark, run_dir: Path, quick: bool) -> str:
    """Run one benchmark, quickly if asked and it knows how."""
    if quick and "quick" in inspect.signature(benchmark.run).parameters:
        return benchmark.run(run_dir, quick=True)  # type: ignore[call-arg]
    return benchmark.run(run_dir)


def parse_arguments(argv: list[str] | None) -> argparse.Namespace:
    """Read the command line."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument(
        "names", nargs="*", help=f"benchmarks to run: {', '.join(BENCHMARKS)} (default: all)"
    )
    parser.add_argument("--run-dir", type=Path, help="keep logs and state here")
    parser.add_argument(
        "--quick", action="store_true", help="short rounds and fewer users, to try the harness"
    )
    arguments = parser.parse_args(argv)
    unknown = [name for name in arguments.names if name not in BENCHMARKS]
    if unknown:
        parser.error(f"unknown benchmark(s): {', '.join(unknown)}")
    return arguments


def main(argv: list[str] | None = None) -> int:
    """Run the chosen benchmarks one after another; a failing one does not stop the others."""
    arguments = parse_arguments(argv)
    failed = []
    with tempfile.TemporaryDirectory(prefix="benchmarks-") as scratch:
        base = arguments.run_dir or Path(scratch)
        for name in arguments.names or BENCHMARKS:
            print(f"== {name}", flush=True)
            started = time.monotonic()
            try:
                print(run_benchmark(load_benchmark(name), base / name, arguments.quick), flush=True)
            except SystemExit as error:  # a benchmark that cannot run says why
                failed.append(name)
                print(f"{name} did not run: {error}", file=sys.stderr, flush=True)
            except Exception as error:  # noqa: BLE001 - report and go on
                failed.append(name)
                traceback.print_exception(error)
            print(f"({name}: {time.monotonic() - started:.0f} s)\n", flush=True)
    if failed:
        print("failed: " + ", ".join(failed), file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
