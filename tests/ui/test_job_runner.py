"""JobRunner: a job's events and its one outcome arrive on the UI thread; cancel is the job's."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest
from PySide6.QtCore import QObject, QThread, QThreadPool
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from app.errors import HearthError, JobCancelled
from app.tasks.job import Job, JobWork, Outcome, Progress
from app.ui.job_runner import JobRunner, run_in_background, serial_pool


@pytest.fixture
def pool() -> Iterator[QThreadPool]:
    owned = QThreadPool()
    yield owned
    owned.waitForDone(5000)


class Counting(Job):
    """Yields Progress 1..n, stopping when cancelled; returns how many it yielded."""

    def __init__(self, n: int, pause: float = 0.0) -> None:
        super().__init__()
        self.n, self.pause = n, pause
        self.threads: list[threading.Thread] = []
        self.hooked = threading.Event()

    def on_cancel(self) -> None:
        self.hooked.set()

    def work(self) -> JobWork:
        self.threads.append(threading.current_thread())
        for part in range(1, self.n + 1):
            if self.cancelled:
                raise JobCancelled(f"Stopped after {part - 1} parts.", part - 1)
            yield Progress(part, self.n, "counting")
            time.sleep(self.pause)
        return self.n


def on_ui_thread() -> bool:
    app = QApplication.instance()
    return app is not None and QThread.currentThread() is app.thread()


def test_events_and_the_outcome_arrive_on_the_ui_thread(qtbot: QtBot, pool: QThreadPool) -> None:
    job = Counting(3)
    runner = JobRunner(job)
    seen: list[tuple[object, bool]] = []
    runner.job_event.connect(lambda event: seen.append((event.part, on_ui_thread())))
    with qtbot.waitSignal(runner.finished, timeout=5000) as finished:
        runner.start(pool)
    assert seen == [(1, True), (2, True), (3, True)]
    assert job.threads[0] is not threading.main_thread()
    done = finished.args[0]
    assert (done.outcome, done.result) == (Outcome.COMPLETED, 3)
    assert not runner.running


def test_a_failure_is_reported_for_people_and_success_is_not(
    qtbot: QtBot, pool: QThreadPool
) -> None:
    def fail(_job: Job) -> None:
        raise HearthError("The disk is full. Free some space and try again.")

    owner = QObject()
    succeeded: list[object] = []
    failures: list[str] = []
    runner = run_in_background(owner, pool, fail, succeeded.append, failures.append)
    qtbot.waitUntil(lambda: not runner.running, timeout=5000)
    assert failures == ["The disk is full. Free some space and try again."]
    assert succeeded == []


def test_a_plain_function_succeeds_with_its_value(qtbot: QtBot, pool: QThreadPool) -> None:
    owner = QObject()
    results: list[object] = []
    failures: list[str] = []
    run_in_background(owner, pool, lambda _job: 42, results.append, failures.append)
    qtbot.waitUntil(lambda: results == [42], timeout=5000)
    assert failures == []


def test_a_bug_fails_with_a_message_that_points_to_the_log(qtbot: QtBot, pool: QThreadPool) -> None:
    runner = JobRunner(_Broken())
    with qtbot.waitSignal(runner.failed, timeout=5000) as failed:
        runner.start(pool)
    assert "Details are in the log" in failed.args[0]


def test_cancel_runs_the_jobs_hook_and_ends_cancelled_with_what_was_done(
    qtbot: QtBot, pool: QThreadPool
) -> None:
    job = Counting(1000, pause=0.005)
    runner = JobRunner(job)
    runner.job_event.connect(lambda event: runner.cancel() if event.part == 3 else None)
    with qtbot.waitSignal(runner.finished, timeout=5000) as finished:
        runner.start(pool)
    done = finished.args[0]
    assert job.hooked.is_set()
    assert done.outcome is Outcome.CANCELLED
    assert 3 <= done.result < 1000
    assert done.message == f"Stopped after {done.result} parts."


def test_a_serial_pool_runs_jobs_in_order(qtbot: QtBot) -> None:
    pool = serial_pool()
    order: list[int] = []
    runners = [JobRunner(_Appending(order, n)) for n in range(5)]
    with qtbot.waitSignal(runners[-1].finished, timeout=5000):
        for runner in runners:
            runner.start(pool)
    pool.waitForDone(5000)
    assert order == [0, 1, 2, 3, 4]


class _Appending(Job):
    def __init__(self, order: list[int], n: int) -> None:
        super().__init__()
        self.order, self.n = order, n

    def work(self) -> JobWork:
        time.sleep(0.01)
        self.order.append(self.n)
        yield from ()
        return None


class _Broken(Job):
    def work(self) -> JobWork:
        yield from ()
        raise ZeroDivisionError("a bug")
