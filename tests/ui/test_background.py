"""BackgroundTask: results and yielded items arrive on the UI thread; cancel is cooperative."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest
from PySide6.QtCore import QThread, QThreadPool
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from app.errors import HearthError
from app.ui.background import BackgroundTask, CancelToken, serial_pool


@pytest.fixture
def pool() -> Iterator[QThreadPool]:
    owned = QThreadPool()
    yield owned
    owned.waitForDone(5000)


def test_result_and_yields_arrive_on_the_ui_thread(qtbot: QtBot, pool: QThreadPool) -> None:
    worker_threads: list[object] = []
    seen: list[tuple[object, bool]] = []

    def work(_token: CancelToken) -> Iterator[int]:
        worker_threads.append(threading.current_thread())
        yield from range(3)

    def on_item(item: object) -> None:
        seen.append((item, QThread.currentThread() is QApplication.instance().thread()))  # type: ignore[union-attr]

    task = BackgroundTask(work)
    task.yielded.connect(on_item)
    with qtbot.waitSignal(task.finished, timeout=5000):
        task.start(pool)
    assert seen == [(0, True), (1, True), (2, True)]
    assert worker_threads[0] is not threading.main_thread()
    assert not task.running


def test_a_plain_function_succeeds_with_its_value(qtbot: QtBot, pool: QThreadPool) -> None:
    task = BackgroundTask(lambda _token: 42)
    with qtbot.waitSignal(task.succeeded, timeout=5000) as blocker:
        task.start(pool)
    assert blocker.args == [42]


def test_errors_are_reported_not_raised(qtbot: QtBot, pool: QThreadPool) -> None:
    def work(_token: CancelToken) -> None:
        raise HearthError("The disk is full. Free some space and try again.")

    task = BackgroundTask(work)
    with qtbot.waitSignal(task.failed, timeout=5000) as blocker:
        task.start(pool)
    assert isinstance(blocker.args[0], HearthError)
    assert "disk is full" in str(blocker.args[0])


def test_cancel_sets_the_token_runs_the_hook_and_still_finishes(
    qtbot: QtBot, pool: QThreadPool
) -> None:
    hooked = threading.Event()
    produced: list[int] = []

    def work(token: CancelToken) -> Iterator[int]:
        for i in range(1000):
            if token.cancelled:
                return
            produced.append(i)
            yield i
            time.sleep(0.005)

    task = BackgroundTask(work, on_cancel=hooked.set)
    succeeded: list[object] = []
    task.succeeded.connect(succeeded.append)
    task.yielded.connect(lambda item: task.cancel() if item == 3 else None)
    with qtbot.waitSignal(task.finished, timeout=5000):
        task.start(pool)
    assert hooked.is_set()
    assert task.token.cancelled
    assert len(produced) < 1000
    assert succeeded == []  # a cancelled task reports no success


def test_a_serial_pool_runs_tasks_in_order(qtbot: QtBot) -> None:
    pool = serial_pool()
    order: list[int] = []
    tasks = []
    for n in range(5):
        task = BackgroundTask(lambda _token, n=n: (time.sleep(0.01), order.append(n)))
        tasks.append(task)
    with qtbot.waitSignal(tasks[-1].finished, timeout=5000):
        for task in tasks:
            task.start(pool)
    pool.waitForDone(5000)
    assert order == [0, 1, 2, 3, 4]
