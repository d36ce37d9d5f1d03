"""Download progress on stderr: for people, one updating line on a terminal and sparse lines
in a log; for programs (``--progress json``), one JSON object per event and line."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import Literal, Protocol, TextIO

from app.catalog.download_control import DownloadProgress
from app.catalog.download_events import (
    DownloadEvent,
    DownloadMessage,
    describe_progress,
    download_label,
    encode_event,
)

ProgressFormat = Literal["text", "json"]
PROGRESS_FORMATS: tuple[ProgressFormat, ...] = ("text", "json")
PAUSED_HINT = "Paused. Run the same command again to resume where it stopped."


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
        return describe_progress(self._label, progress)

    def finish_line(self) -> None:
        """End an updating line early (e.g. when paused) so the next message starts clean."""
        if self._live:
            self._stream.write("\n")
            self._stream.flush()


class DownloadOutput(Protocol):
    """Where `hearth models download` tells what happens, in one of the PROGRESS_FORMATS."""

    def notice(self, text: str) -> None:
        """Something to know before or beside the download (a license, a cleaned-up file)."""

    def progress_for(self, name: str) -> Callable[[DownloadProgress], None]:
        """The on_progress callback for downloading `name`."""

    def paused(self, message: str) -> None:
        """The download stopped on request and keeps its partial file."""

    def failed(self, message: str) -> bool:
        """Report a failure for people; False if that is left to the caller (`hearth: ...`)."""


class TextOutput:
    """Human text, as the terminal has always shown it."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self._stream = stream or sys.stderr
        self._printer: ProgressPrinter | None = None

    def notice(self, text: str) -> None:
        print(text, file=self._stream)

    def progress_for(self, name: str) -> ProgressPrinter:
        self._printer = ProgressPrinter(download_label(name), self._stream)
        return self._printer

    def paused(self, message: str) -> None:
        if self._printer is not None:
            self._printer.finish_line()
        print(PAUSED_HINT, file=self._stream)

    def failed(self, message: str) -> bool:
        return False  # the `hearth` command prints "hearth: <message>" itself


class JsonOutput:
    """One JSON object per line for every event (app/catalog/download_events.py): what the
    window's DownloadProcess reads."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self._stream = stream or sys.stderr

    def write(self, event: DownloadEvent) -> None:
        self._stream.write(encode_event(event) + "\n")
        self._stream.flush()

    def notice(self, text: str) -> None:
        self.write(DownloadMessage("notice", text))

    def progress_for(self, name: str) -> Callable[[DownloadProgress], None]:
        return self.write

    def paused(self, message: str) -> None:
        self.write(DownloadMessage("paused", message))

    def failed(self, message: str) -> bool:
        self.write(DownloadMessage("failed", message))
        return True


def download_output(
    progress_format: ProgressFormat, stream: TextIO | None = None
) -> DownloadOutput:
    """The output for ``--progress FORMAT``."""
    return JsonOutput(stream) if progress_format == "json" else TextOutput(stream)
