"""The one way the window runs work off the UI thread: a job on a thread pool.

A `JobRunner` runs a `Job` (app/tasks/job.py) on a pool thread and reports through Qt
signals, which Qt delivers on the UI thread (the runner lives there). Every kind of long work
goes through it: chat turns, summaries and model loads (on the engine's serial pool), and
the dialogs' short background calls (a `CallJob`). Cancelling is the job's own `cancel()`;
whatever happens, `finished` comes last, carrying the job's one outcome.

The job never touches widgets and widgets never run inside the job: plain data goes in,
events come out.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QThreadPool, Signal

from app.tasks.job import CallJob, Done, Job, Outcome


class JobRunner(QObject):
    """Runs one job; connect to its signals before `start`.

    Signals:
        job_event(object): each event the job yields before its end (Progress, TextPiece…).
        failed(str): why the job failed, for people (just before `finished`).
        finished(object): the job's `Done`, always last, whatever happened.
    """

    job_event = Signal(object)  # not `event`: that is QObject's own event handler
    failed = Signal(str)
    finished = Signal(object)

    def __init__(self, job: Job, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.job = job
        self.running = False
        self.finished.connect(self._mark_done)  # first, so later listeners see it done

    def start(self, pool: QThreadPool) -> None:
        """Run on `pool`, which its owner drains (waitForDone) before the app exits."""
        self.running = True
        pool.start(self._run)

    def cancel(self) -> None:
        self.job.cancel()

    def _mark_done(self) -> None:
        self.running = False

    def _run(self) -> None:
        """On the pool's thread: the job's events become signals."""
        for event in self.job.run():
            if not isinstance(event, Done):
                self.job_event.emit(event)
                continue
            if event.outcome is Outcome.FAILED:
                self.failed.emit(event.message)
            self.finished.emit(event)


def serial_pool() -> QThreadPool:
    """A pool of one thread: work on it runs in order (the engine takes one call at a time)."""
    pool = QThreadPool()
    pool.setMaxThreadCount(1)
    pool.setExpiryTimeout(-1)
    return pool


def run_in_background(
    owner: QObject,
    pool: QThreadPool,
    work: Callable[[Job], Any],
    on_success: Callable[[Any], None],
    on_failure: Callable[[str], None],
    on_finished: Callable[[Done], None] | None = None,
) -> JobRunner:
    """Run a plain function as a job on `pool`: its value goes to `on_success`, a failure's
    message to `on_failure`, and then, whatever happened, the Done to `on_finished`; the
    runner stays referenced by `owner` until it finishes. (Everything is connected before
    the job starts: a signal sent before a connection is made reaches nobody.)"""
    runner = JobRunner(CallJob(work), parent=owner)

    def done(outcome: Done) -> None:
        if outcome.outcome is Outcome.COMPLETED:
            on_success(outcome.result)

    runner.failed.connect(on_failure)
    runner.finished.connect(done)
    if on_finished is not None:
        runner.finished.connect(on_finished)
    runner.finished.connect(runner.deleteLater)
    runner.start(pool)
    return runner
