"""Starting Hearth's window in a process of its own and waiting until it is shown.

The window's process logs "window shown" right after `window.show()` (app/ui/application.py);
the installer test waits for that line, the bundle benchmark reads its timestamp. Both start
the process the same way and stop it, with anything it started, once the line is there.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

SHOWN = "window shown"


@dataclass(frozen=True)
class Shown:
    line: str  # the log's "window shown" line
    log_text: str  # the whole log at that moment

    @property
    def logged_at(self) -> float:
        """The line's time (the log's local timestamp, to the millisecond) as `time.time()`."""
        return datetime.strptime(self.line[:23], "%Y-%m-%d %H:%M:%S,%f").timestamp()


def run_until_shown(
    command: list[str], env: dict[str, str], cwd: Path, log: Path, timeout: float = 60.0
) -> Shown:
    """Start `command`, wait for a new "window shown" line in `log` (lines already there do
    not count), then stop the process group. Raises if the process ends first or times out."""
    lines_before = log.read_text().count("\n") if log.exists() else 0
    process = subprocess.Popen(
        command,
        env=env,
        cwd=cwd,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            text = log.read_text() if log.exists() else ""
            shown = [line for line in text.splitlines()[lines_before:] if SHOWN in line]
            if shown:
                return Shown(shown[0], text)
            if process.poll() is not None:
                _, err = process.communicate()
                raise RuntimeError(
                    f"{command[0]} ended ({process.returncode}) before its window was shown: "
                    f"{err[-3000:]}"
                )
            time.sleep(0.02)
        raise RuntimeError(f"no {SHOWN!r} line in {log} after {timeout} s")
    finally:
        with contextlib.suppress(ProcessLookupError):  # the whole group may be gone already
            os.killpg(process.pid, signal.SIGTERM)
        process.communicate(timeout=30)
