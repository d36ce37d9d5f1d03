"""Running a job to its end in a test and looking at what it yielded."""

from __future__ import annotations

from collections.abc import Iterable

from app.engine.protocol import TextPiece
from app.tasks.job import Done, Job, JobEvent


def run_to_end(job: Job) -> tuple[list[JobEvent], Done]:
    """Every event before the end, and the Done (which must come last, and only once)."""
    events = list(job.run())
    done = events.pop()
    assert isinstance(done, Done)
    assert not any(isinstance(event, Done) for event in events)
    return events, done


def streamed(events: Iterable[object]) -> str:
    """The text the job wrote, as it streamed."""
    return "".join(e.text for e in events if isinstance(e, TextPiece))
