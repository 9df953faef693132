"""Resident memory (RSS) of a service's processes, read from /proc."""

from __future__ import annotations

import os
import threading
from pathlib import Path

PROC = Path("/proc")


def _stat_fields(pid: int) -> list[str]:
    text = (PROC / str(pid) / "stat").read_text()
    return text[text.rindex(")") + 2 :].split()  # after "pid (comm) "


def group_rss_bytes(group_leader: int) -> int:
    """The RSS summed over every process in group_leader's process group (gunicorn's master
    and workers, nginx's master and workers); shared pages count once per process."""
    page = os.sysconf("SC_PAGE_SIZE")
    total = 0
    for entry in PROC.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = _stat_fields(int(entry.name))
        except (OSError, ValueError):
            continue  # it ended meanwhile
        if int(fields[2]) == group_leader:  # field 5, pgrp
            total += int(fields[21]) * page  # field 24, rss in pages
    return total


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
