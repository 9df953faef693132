"""What a service's processes use, read from /proc: their resident memory (RSS) and CPU time,
summed over the service's process group (gunicorn's master and workers, nginx's master and
workers)."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from pathlib import Path

PROC = Path("/proc")


def _stat_fields(pid: int) -> list[str]:
    """/proc/<pid>/stat after "pid (comm) ": fields[0] is proc(5)'s field 3, state."""
    text = (PROC / str(pid) / "stat").read_text()
    return text[text.rindex(")") + 2 :].split()  # the name, in parentheses, may hold spaces


def _group_stat_fields(group_leader: int) -> Iterator[list[str]]:
    """The stat fields of every live process in group_leader's process group."""
    for entry in PROC.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = _stat_fields(int(entry.name))
        except (OSError, ValueError):
            continue  # it ended meanwhile
        if int(fields[2]) == group_leader:  # field 5, pgrp
            yield fields


def group_rss_bytes(group_leader: int) -> int:
    """The RSS summed over the group's processes; shared pages count once per process."""
    page = os.sysconf("SC_PAGE_SIZE")
    return sum(int(fields[21]) * page for fields in _group_stat_fields(group_leader))  # rss


def group_cpu_seconds(group_leader: int) -> float:
    """utime + stime (fields 14 and 15) summed over the group's live processes, in seconds."""
    ticks = sum(int(f[11]) + int(f[12]) for f in _group_stat_fields(group_leader))
    return ticks / os.sysconf("SC_CLK_TCK")


class PeakSampler:
    """Samples the RSS of process groups in a thread until stopped; keeps each one's peak."""

    def __init__(self, groups: dict[str, int], interval_seconds: float = 0.5) -> None:
        self.groups = groups
        self.peaks = dict.fromkeys(groups, 0)
        self._interval = interval_seconds
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        while not self._stopped.is_set():
            for name, leader in self.groups.items():
                self.peaks[name] = max(self.peaks[name], group_rss_bytes(leader))
            self._stopped.wait(self._interval)

    def __enter__(self) -> PeakSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stopped.set()
        self._thread.join()
