"""The one way the window runs work off the UI thread.

A `BackgroundTask` runs a function on a worker thread and reports back through Qt signals,
which Qt delivers on the UI thread (the task object lives there). If the function returns
a generator, each item it yields is reported as it comes: a streaming reply maps straight
onto that. Cancellation is cooperative: `cancel()` sets the token the function was given
and calls the task's own `on_cancel` hook (e.g. to tell the engine to stop); a cancelled
task still reports `finished` so the window can settle its state.

Widgets never run inside the task and the task never touches widgets: it gets plain data
in and sends plain data out.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from typing import Any

from PySide6.QtCore import QObject, QThreadPool, Signal

log = logging.getLogger("hearth.ui")


class CancelToken:
    """Checked by the work function; set by `BackgroundTask.cancel()` from the UI thread."""

    def __init__(self) -> None:
        self._event = threading.Event()

    def cancel(self) -> None:
        self._event.set()

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()


Work = Callable[[CancelToken], Any]


class BackgroundTask(QObject):
    """Runs `work(token)` on a thread pool.

    Signals:
        yielded(object): an item the work's generator yielded.
        succeeded(object): the return value (for a generator: None), when not cancelled.
        failed(object): the exception the work raised (a HearthError is for people).
        finished(): always last, whatever happened.
    """

    yielded = Signal(object)
    succeeded = Signal(object)
    failed = Signal(object)
    finished = Signal()

    def __init__(
        self,
        work: Work,
        *,
        on_cancel: Callable[[], None] | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._work = work
        self._on_cancel = on_cancel
        self.token = CancelToken()
        self.running = False
        self.finished.connect(self._mark_done)  # first, so later listeners see it done

    def start(self, pool: QThreadPool) -> None:
        """Run on `pool`, which its owner drains (waitForDone) before the app exits."""
        self.running = True
        pool.start(self._run)

    def cancel(self) -> None:
        if self.token.cancelled:
            return
        self.token.cancel()
        if self._on_cancel is not None:
            self._on_cancel()

    def _mark_done(self) -> None:
        self.running = False

    def _run(self) -> None:
        """On the worker thread: run the work and emit what happened."""
        try:
            result = self._work(self.token)
            if isinstance(result, Iterator):
                for item in result:
                    self.yielded.emit(item)
                result = None
            if not self.token.cancelled:
                self.succeeded.emit(result)
        except Exception as exc:
            from app.errors import HearthError

            if not isinstance(exc, HearthError):
                log.exception("background task failed")
            # The traceback would keep this thread's frames, and all they hold, alive on the
            # UI thread; what it says is already in the log.
            exc.__traceback__ = None
            self.failed.emit(exc)
        finally:
            self.finished.emit()


def serial_pool() -> QThreadPool:
    """A pool of one thread: work on it runs in order (the engine takes one call at a time)."""
    pool = QThreadPool()
    pool.setMaxThreadCount(1)
    pool.setExpiryTimeout(-1)
    return pool


def run_in_background(
    owner: QObject,
    pool: QThreadPool,
    work: Callable[[CancelToken], Any],
    on_success: Callable[[Any], None],
    on_failure: Callable[[str], None],
) -> BackgroundTask:
    """Start `work` on `pool`; the task stays referenced by `owner` until it finishes."""
    task = BackgroundTask(work, parent=owner)
    task.succeeded.connect(on_success)
    from app.errors import message_for_people

    task.failed.connect(lambda error: on_failure(message_for_people(error)))
    task.finished.connect(task.deleteLater)
    task.start(pool)
    return task
