"""The job shape: events, then exactly one Done; each way a job can end is one outcome."""

from __future__ import annotations

import logging

import pytest

from app.engine.protocol import TextPiece
from app.errors import DocumentError, JobCancelled
from app.tasks.job import CallJob, Done, Job, JobWork, Outcome, Progress, finish
from tests.support.jobs import run_to_end


class Scripted(Job):
    """Yields two events, then ends as `ending` says."""

    title = "The test job"

    def __init__(self, ending: BaseException | None = None) -> None:
        super().__init__()
        self.ending = ending
        self.hooked = 0

    def on_cancel(self) -> None:
        self.hooked += 1

    def work(self) -> JobWork:
        yield Progress(1, 2, "first")
        yield TextPiece("half")
        if self.ending is not None:
            raise self.ending
        return "the result"


def test_a_completed_job_yields_its_events_then_done_with_its_result() -> None:
    events, done = run_to_end(Scripted())
    assert events == [Progress(1, 2, "first"), TextPiece("half")]
    assert done == Done(Outcome.COMPLETED, "the result")


def test_a_cancelled_job_keeps_what_it_had_and_says_why() -> None:
    _, done = run_to_end(Scripted(JobCancelled("Stopped after 1 part.", result=1)))
    assert (done.outcome, done.result, done.message) == (
        Outcome.CANCELLED,
        1,
        "Stopped after 1 part.",
    )
    assert not done.is_bug


def test_an_error_for_people_fails_with_its_message() -> None:
    error = DocumentError("The file is empty. Choose another one.")
    _, done = run_to_end(Scripted(error))
    assert (done.outcome, done.message, done.error) == (Outcome.FAILED, error.message, error)
    assert not done.is_bug


def test_a_bug_fails_too_and_is_logged_with_its_traceback(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.ERROR, logger="hearth.tasks"):
        _, done = run_to_end(Scripted(KeyError("oops")))
    assert done.outcome is Outcome.FAILED
    assert done.is_bug
    assert "Details are in the log" in done.message
    assert caplog.records[0].exc_info is not None
    assert "The test job failed" in caplog.text


def test_cancel_sets_the_flag_and_runs_the_hook_once_per_call() -> None:
    job = Scripted()
    assert not job.cancelled
    job.cancel()
    assert job.cancelled
    assert job.hooked == 1


def test_a_job_cancelled_before_it_runs_does_no_work() -> None:
    job = Scripted()
    job.cancel()
    events, done = run_to_end(job)
    assert events == []
    assert done.outcome is Outcome.CANCELLED
    assert "before it began" in done.message


def test_a_plain_function_is_a_job_that_sees_its_cancel_flag() -> None:
    assert finish(CallJob(lambda job: ("ran", job.cancelled))) == Done(
        Outcome.COMPLETED, ("ran", False)
    )


def test_progress_fraction_is_bounded() -> None:
    assert Progress(1, 4, "x").fraction == 0.25
    assert Progress(5, 4, "x").fraction == 1.0
    assert Progress(1, 0, "x").fraction == 0.0
