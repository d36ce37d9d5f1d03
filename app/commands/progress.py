"""Download progress on stderr: one updating line on a terminal, sparse lines in a log."""

from __future__ import annotations

import sys
import time
from typing import TextIO

from app.catalog.download import DownloadProgress
from app.units import human_size


def human_seconds(seconds: float) -> str:
    seconds = round(seconds)
    if seconds < 60:
        return f"{seconds} s"
    if seconds < 3600:
        return f"{seconds // 60} min {seconds % 60:02d} s"
    return f"{seconds // 3600} h {seconds % 3600 // 60:02d} min"


class ProgressPrinter:
    """Turns DownloadProgress events into text; call it as the download's on_progress."""

    def __init__(self, label: str, stream: TextIO | None = None, interval: float = 2.0) -> None:
        self._label = label
        self._stream = stream or sys.stderr
        self._live = self._stream.isatty()
        self._interval = interval
        self._last_line = 0.0
        self._last_state = ""

    def __call__(self, progress: DownloadProgress) -> None:
        now = time.monotonic()
        changed = progress.state != self._last_state
        if not self._live and not changed and now - self._last_line < self._interval:
            return
        self._last_state, self._last_line = progress.state, now
        text = self.describe(progress)
        if self._live:
            end = "\n" if progress.state == "done" else ""
            self._stream.write(f"\r\033[K{text}{end}")
        else:
            self._stream.write(text + "\n")
        self._stream.flush()

    def describe(self, progress: DownloadProgress) -> str:
        if progress.state == "downloading" and progress.total:
            percent = 100 * progress.downloaded / progress.total
            parts = [
                f"{self._label}: {percent:.0f}% ({human_size(progress.downloaded)} of "
                f"{human_size(progress.total)})"
            ]
            if progress.rate:
                parts.append(f"at {human_size(progress.rate)}/s")
            if progress.eta_s is not None:
                parts.append(f"{human_seconds(progress.eta_s)} left")
            return ", ".join(parts)
        message = f" {progress.message}" if progress.message else ""
        return f"{self._label}: {progress.state}{message}"

    def finish_line(self) -> None:
        """End an updating line early (e.g. when paused) so the next message starts clean."""
        if self._live:
            self._stream.write("\n")
            self._stream.flush()
