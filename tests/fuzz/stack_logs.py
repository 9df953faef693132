"""The stack's log files from a mark on: nginx's access lines, and service lines that are not
JSON (a traceback, a server's own error line)."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

# Our services. demo-app stands for your own app: how its server logs is the app's choice
# (its image keeps gunicorn's plain access log), so its lines are not held to ours.
SERVICE_LOGS = ("auth-service", "graph-service")


class LogMark:
    """Where each log file of a run folder ended when the mark was taken."""

    def __init__(self, log_dir: Path) -> None:
        self.log_dir = log_dir
        self._offsets = {path.name: path.stat().st_size for path in log_dir.glob("*.log")}

    def lines_since(self, name: str) -> list[bytes]:
        """The lines log name gained since the mark."""
        path = self.log_dir / f"{name}.log"
        if not path.exists():
            return []
        with open(path, "rb") as log_file:
            log_file.seek(self._offsets.get(path.name, 0))
            return log_file.read().splitlines()

    def nginx_access_statuses(self) -> tuple[Counter[int], list[bytes]]:
        """The statuses of nginx's access lines since the mark, and its lines that look like
        access lines but do not parse. Its error log (plain text) shares the file."""
        statuses: Counter[int] = Counter()
        unparsable = []
        for line in self.lines_since("nginx"):
            if not line.startswith(b"{"):
                continue
            try:
                statuses[int(json.loads(line)["status"])] += 1
            except (ValueError, KeyError, TypeError):
                unparsable.append(line)
        return statuses, unparsable

    def service_lines_not_json(self) -> dict[str, Counter[str]]:
        """Per service, its lines since the mark that are not one JSON object each, counted by
        their shape (without times, process ids and numbers)."""
        found: dict[str, Counter[str]] = {}
        for name in SERVICE_LOGS:
            shapes = Counter(
                _shape(line)
                for line in self.lines_since(name)
                if line.strip() and not _is_json(line)
            )
            if shapes:
                found[name] = shapes
        return found


def _shape(line: bytes) -> str:
    text = line.decode(errors="replace")
    text = re.sub(r"^\[[^]]*\] \[\d+\] ", "", text)  # gunicorn's time and process id
    return re.sub(r"\d+", "N", text)[:140]


def _is_json(line: bytes) -> bool:
    try:
        return isinstance(json.loads(line), dict)
    except ValueError:
        return False
