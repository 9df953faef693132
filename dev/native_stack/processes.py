"""Starting, watching and stopping the stack's processes."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path


class StackStartError(Exception):
    """A process did not become ready; the message carries the end of its log."""


@dataclass
class ManagedProcess:
    """One child process with its log file."""

    name: str
    argv: list[str]
    env: dict[str, str]
    log_path: Path
    cwd: Path | None = None
    popen: subprocess.Popen[bytes] | None = field(default=None, repr=False)

    def start(self) -> None:
        """Start the process in its own process group, logging to log_path."""
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.log_path, "ab") as log_file:
            self.popen = subprocess.Popen(
                self.argv,
                env=self.env,
                cwd=self.cwd,
                stdin=subprocess.DEVNULL,
                stdout=log_file,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def is_running(self) -> bool:
        """True while the process has not exited."""
        return self.popen is not None and self.popen.poll() is None

    def wait_ready(self, probe: Callable[[], bool], timeout_seconds: float = 30.0) -> None:
        """Poll probe until it returns True; raise StackStartError on exit or timeout."""
        deadline = time.monotonic() + timeout_seconds
        while time.monotonic() < deadline:
            if not self.is_running():
                raise StackStartError(f"{self.name} exited early:\n{self.log_tail()}")
            try:
                if probe():
                    return
            except Exception:  # noqa: BLE001 - any failure means "not ready yet"
                pass
            time.sleep(0.1)
        raise StackStartError(f"{self.name} not ready in {timeout_seconds}s:\n{self.log_tail()}")

    def stop(self, timeout_seconds: float = 10.0) -> None:
        """Send SIGTERM to the process group, then SIGKILL if it lingers."""
        if self.popen is None:
            return
        if self.popen.poll() is None:
            _signal_group(self.popen.pid, signal.SIGTERM)
            try:
                self.popen.wait(timeout_seconds)
            except subprocess.TimeoutExpired:
                _signal_group(self.popen.pid, signal.SIGKILL)
                self.popen.wait(timeout_seconds)
        _signal_group(self.popen.pid, signal.SIGKILL)

    def crash(self) -> None:
        """SIGKILL the whole process group at once, as a crash would, and reap it."""
        if self.popen is None:
            return
        _signal_group(self.popen.pid, signal.SIGKILL)
        self.popen.wait()

    def log_tail(self, lines: int = 40) -> str:
        """Return the last lines of the log."""
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"


def _signal_group(pid: int, sig: signal.Signals) -> None:
    try:
        os.killpg(pid, sig)
    except (ProcessLookupError, PermissionError):
        pass
