"""The summary queue without a window: files run one at a time in the order they came, and
each one ends done, stopped or failed, with a note people can read."""

from __future__ import annotations

from pathlib import Path

from app.tasks.job import Progress
from app.tasks.summary_queue import FileState, QueuedFile, SummaryQueue

A, B, C = Path("/docs/a.pdf"), Path("/docs/b.txt"), Path("/docs/c.docx")


def states(queue: SummaryQueue) -> list[tuple[str, FileState]]:
    return [(item.path.name, item.state) for item in queue.items]


def run_next(queue: SummaryQueue) -> Path:
    """What the window does when the panel asks for the next file: start it."""
    path = queue.next_file()
    assert path is not None
    queue.started(path)
    return path


def test_files_run_one_at_a_time_in_the_order_they_came() -> None:
    queue = SummaryQueue()
    assert queue.next_file() is None
    queue.add([A, B])
    queue.add([C, A])  # A is waiting already: not listed twice
    assert states(queue) == [("a.pdf", "waiting"), ("b.txt", "waiting"), ("c.docx", "waiting")]
    assert run_next(queue) == A
    assert queue.busy
    assert queue.next_file() is None  # one at a time
    queue.done(chunks=4)
    assert not queue.busy
    assert run_next(queue) == B
    queue.done(chunks=1)
    assert run_next(queue) == C
    queue.done(chunks=2)
    assert [item.describe() for item in queue.items] == [
        "a.pdf — done: read in 4 parts",
        "b.txt — done: read in 1 part",
        "c.docx — done: read in 2 parts",
    ]
    assert queue.next_file() is None


def test_the_working_file_shows_its_progress() -> None:
    queue = SummaryQueue()
    queue.add([A])
    run_next(queue)
    assert queue.items[0].describe() == "a.pdf — working: starting…"
    queue.progressed(Progress(3, 12, "reading", eta_seconds=40.0))
    assert queue.items[0].describe() == "a.pdf — working: part 3 of 12"
    assert queue.working is queue.items[0]


def test_a_refused_file_waits_with_the_reason_and_is_asked_for_again() -> None:
    queue = SummaryQueue()
    queue.add([A, B])
    assert queue.next_file() == A
    queue.refused(A, "choose a model first")
    assert queue.items[0] == QueuedFile(A, FileState.WAITING, "choose a model first")
    assert not queue.busy
    assert run_next(queue) == A  # the next try starts it
    assert queue.items[0].note == "starting…"


def test_stopped_and_failed_files_stay_listed_and_run_again_on_retry() -> None:
    queue = SummaryQueue()
    queue.add([A, B, C])
    run_next(queue)
    queue.stopped("The summary of a.pdf was stopped after 2 parts.")
    run_next(queue)
    queue.failed("The model stopped unexpectedly.")
    run_next(queue)
    queue.done(chunks=3)
    assert states(queue) == [("a.pdf", "stopped"), ("b.txt", "failed"), ("c.docx", "done")]
    assert queue.items[1].describe() == "b.txt — failed: The model stopped unexpectedly."
    assert queue.next_file() is None  # nothing runs again by itself
    queue.retry()
    assert states(queue) == [("a.pdf", "waiting"), ("b.txt", "waiting"), ("c.docx", "done")]
    assert [item.note for item in queue.items[:2]] == ["", ""]
    assert run_next(queue) == A


def test_a_file_added_again_after_it_ended_is_a_new_entry() -> None:
    queue = SummaryQueue()
    queue.add([A])
    run_next(queue)
    queue.stopped("stopped")
    queue.add([A])
    assert states(queue) == [("a.pdf", "stopped"), ("a.pdf", "waiting")]
    queue.retry()  # A waits already: the stopped entry is not queued a second time
    assert states(queue) == [("a.pdf", "stopped"), ("a.pdf", "waiting")]
    run_next(queue)
    assert states(queue) == [("a.pdf", "stopped"), ("a.pdf", "working")]
    queue.progressed(Progress(1, 3, "reading"))
    queue.done(chunks=2)
    assert states(queue) == [("a.pdf", "stopped"), ("a.pdf", "done")]


def test_an_end_with_nothing_working_changes_nothing() -> None:
    queue = SummaryQueue()
    queue.add([A])
    queue.done(chunks=1)
    queue.failed("late")
    queue.progressed(Progress(1, 2, "reading"))
    assert queue.items == [QueuedFile(A)]
