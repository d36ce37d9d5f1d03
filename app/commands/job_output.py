"""How the CLI runs a job: on this thread, Ctrl+C cancels it, its events are printed.

stdout holds only the text the job writes (a reply, a summary), so it can be piped; progress,
notes and the outcome go to stderr. A failed job raises its error, which `hearth` prints as
one line (exit 1, or 2 for a bug); a cancelled one prints why and returns exit code 130.
"""

from __future__ import annotations

import signal
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TextIO

from app.engine.protocol import TextPiece
from app.tasks.job import ContextTrimmed, Done, Job, JobEvent, Outcome, Progress
from app.units import human_duration

CANCELLED_EXIT_CODE = 130  # what a shell reports for a program stopped by Ctrl+C


class EventPrinter:
    """Prints a job's events: text to `out` as it streams, the rest to `err`."""

    def __init__(
        self, out: TextIO | None = None, err: TextIO | None = None, *, progress: bool = True
    ) -> None:
        self.out = out or sys.stdout
        self.err = err or sys.stderr
        self._progress = progress

    def __call__(self, event: JobEvent) -> None:
        if isinstance(event, TextPiece):
            self.out.write(event.text)
            self.out.flush()
        elif isinstance(event, Progress) and self._progress:
            print(progress_line(event), file=self.err, flush=True)
        elif isinstance(event, ContextTrimmed):
            print(
                f"hearth: note: {event.omitted_messages} older messages were left out so the "
                "conversation fits the model's context.",
                file=self.err,
            )


def progress_line(progress: Progress) -> str:
    """`part 3 of 12 (about 2 min left)`."""
    line = f"part {progress.part} of {progress.total}"
    if progress.eta_seconds is not None:
        line += f" (about {human_duration(progress.eta_seconds)} left)"
    return line


def run_job(job: Job, on_event: Callable[[JobEvent], None]) -> Done:
    """Run `job` to its end with Ctrl+C cancelling it; raise its error if it failed."""
    with ctrl_c_cancels(job):
        for event in job.run():
            if isinstance(event, Done):
                if event.outcome is Outcome.FAILED and event.error is not None:
                    raise event.error
                return event
            on_event(event)
    raise AssertionError("a job always ends with Done")


def exit_code(done: Done, err: TextIO | None = None) -> int:
    """0 for a completed job; for a cancelled one, say so and return 130."""
    if done.outcome is Outcome.COMPLETED:
        return 0
    print(f"hearth: {done.message}", file=err or sys.stderr)
    return CANCELLED_EXIT_CODE


@contextmanager
def ctrl_c_cancels(job: Job) -> Iterator[None]:
    """While the job runs, Ctrl+C asks it to stop instead of ending Hearth."""
    previous = signal.signal(signal.SIGINT, lambda _sig, _frame: job.cancel())
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
