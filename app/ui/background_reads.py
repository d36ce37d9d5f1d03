"""The window's reads of the history, on a reading thread of their own.

Opening a long conversation and searching every message grow with use, so the window never
makes those reads on the UI thread: it asks here and is called back with the result. Reads
run in order on one thread, which keeps one SQLite connection (the reader's), and never wait
behind a reply being written (the engine has its own thread).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from PySide6.QtCore import QObject

from app.tasks.conversation_reader import ConversationReader
from app.ui.job_runner import JobRunner, run_in_background, serial_pool

T = TypeVar("T")


class BackgroundReads(QObject):
    """Runs `ConversationReader` calls off the UI thread; results come back on it."""

    def __init__(self, database: Path, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._reader = ConversationReader(database)
        self._pool = serial_pool()
        self._in_flight = 0

    def read(
        self,
        work: Callable[[ConversationReader], T],
        on_done: Callable[[T], None],
        on_failed: Callable[[str], None],
    ) -> JobRunner:
        """Run `work(reader)` on the reading thread; `on_done(result)` or `on_failed(why)`."""
        reader = self._reader
        self._in_flight += 1
        return run_in_background(
            self, self._pool, lambda _job: work(reader), on_done, on_failed, self._read_done
        )

    @property
    def busy(self) -> bool:
        """Whether a read asked for has not reported back yet."""
        return self._in_flight > 0

    def _read_done(self, _outcome: object) -> None:
        self._in_flight -= 1

    def shutdown(self) -> None:
        """Close the reading thread's connection, on that thread, and wait for it."""
        self._pool.start(self._reader.close)
        self._pool.waitForDone(10_000)
