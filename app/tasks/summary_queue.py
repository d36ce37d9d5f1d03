"""The documents waiting to be summarized: which one runs next, and how each one ended.

Files arrive by drop or by "Summarize a document…" and are summarized one after another
(the engine takes one job at a time). The queue decides what starts next and keeps each
file's state and a note for people ("part 3 of 12", "read in 4 parts", why it stopped);
the summarize panel only shows it and forwards clicks. A stopped or failed file stays in
the list, and `retry` queues it again: a stopped one then resumes where it stopped,
because every finished part was saved. A file the window could not start (no model yet,
a reply still being written) stays waiting with the reason as its note.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from app.tasks.job import Progress


class FileState(StrEnum):
    WAITING = "waiting"  # to be summarized; its note may say why it has not started yet
    WORKING = "working"
    DONE = "done"
    STOPPED = "stopped"  # the user asked; Summarize again resumes it
    FAILED = "failed"  # see the note


RETRIED = frozenset({FileState.STOPPED, FileState.FAILED})


@dataclass
class QueuedFile:
    path: Path
    state: FileState = FileState.WAITING
    note: str = ""

    def describe(self) -> str:
        """One line for the list: "report.pdf — working: part 3 of 12"."""
        return f"{self.path.name} — {self.state}" + (f": {self.note}" if self.note else "")


class SummaryQueue:
    """The files in the order they came; at most one is working at a time."""

    def __init__(self) -> None:
        self.items: list[QueuedFile] = []

    @property
    def working(self) -> QueuedFile | None:
        return next((item for item in self.items if item.state is FileState.WORKING), None)

    @property
    def busy(self) -> bool:
        return self.working is not None

    def add(self, paths: Iterable[Path]) -> None:
        """Queue `paths`, except those already waiting (done or stopped ones come again)."""
        for path in paths:
            if self._waiting(path) is None:
                self.items.append(QueuedFile(path))

    def next_file(self) -> Path | None:
        """The file to start now: the first waiting one, or None while one is working."""
        if self.busy:
            return None
        return next((i.path for i in self.items if i.state is FileState.WAITING), None)

    def retry(self) -> None:
        """Queue the stopped and failed files again (unless the file is waiting already)."""
        for item in self.items:
            if item.state in RETRIED and self._waiting(item.path) is None:
                item.state, item.note = FileState.WAITING, ""

    def started(self, path: Path) -> None:
        """The job for `path` was accepted and runs."""
        self._set(self._waiting(path), FileState.WORKING, "starting…")

    def refused(self, path: Path, reason: str) -> None:
        """The job for `path` could not start: it waits for another try, saying why."""
        self._set(self._waiting(path), FileState.WAITING, reason)

    def progressed(self, progress: Progress) -> None:
        self._set(self.working, FileState.WORKING, f"part {progress.part} of {progress.total}")

    def done(self, chunks: int) -> None:
        """The working file is summarized; it was read in `chunks` parts."""
        parts = "1 part" if chunks == 1 else f"{chunks} parts"
        self._set(self.working, FileState.DONE, f"read in {parts}")

    def stopped(self, message: str) -> None:
        self._set(self.working, FileState.STOPPED, message)

    def failed(self, message: str) -> None:
        self._set(self.working, FileState.FAILED, message)

    def _waiting(self, path: Path) -> QueuedFile | None:
        """The waiting entry of `path` (the file may also be listed as done or stopped)."""
        return next(
            (i for i in self.items if i.path == path and i.state is FileState.WAITING), None
        )

    @staticmethod
    def _set(item: QueuedFile | None, state: FileState, note: str) -> None:
        if item is not None:
            item.state, item.note = state, note
