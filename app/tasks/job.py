"""One shape for every long task: a job yields events and ends in exactly one outcome.

A chat turn, a summary, a model load (and every task added later) is a `Job`. Its `run()`
yields events of one family while it works:

- `Progress`: part i of N, with the time left once it can be estimated;
- `TextPiece`: a piece of the text being written (from the engine's protocol);
- `ContextTrimmed`: older messages were left out so the prompt fits the context;
- `Saved`: something the user will want to open was saved to a conversation;

and then exactly one `Done`, whose `outcome` is completed, cancelled (the user asked) or
failed (with a message for people). Nothing else ends a job: exceptions become a failed
`Done` (bugs are logged with their traceback and keep the exception for whoever must
re-raise it, e.g. the CLI's exit code 2).

Cancelling is one call, `job.cancel()`, safe from any thread and from a signal handler: it
sets the job's flag and runs the job's own hook (an engine job asks the engine to stop). A
job that notices the request raises `JobCancelled`, after saving what it has.

The job knows nothing about threads or Qt: the CLI runs it on the main thread and prints its
events (app/commands/job_output.py); the window runs it on a worker (app/ui/job_runner.py)
and shows them.
"""

from __future__ import annotations

import logging
import threading
from abc import ABC, abstractmethod
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass
from enum import StrEnum

from app.engine.protocol import TextPiece
from app.errors import HearthError, JobCancelled, message_for_people

log = logging.getLogger("hearth.tasks")


class Outcome(StrEnum):
    COMPLETED = "completed"
    CANCELLED = "cancelled"  # the user asked; what was done is kept
    FAILED = "failed"  # see Done.message


@dataclass(frozen=True)
class Progress:
    """Part `part` of `total` is under way (1-based); `stage` names it for people."""

    part: int
    total: int
    stage: str
    eta_seconds: float | None = None

    @property
    def fraction(self) -> float:
        """How far along, 0.0 to 1.0, for a progress bar."""
        return min(1.0, self.part / self.total) if self.total > 0 else 0.0


@dataclass(frozen=True)
class ContextTrimmed:
    """Older messages were left out of the prompt so that it fits the context."""

    omitted_messages: int
    prompt_tokens: int


@dataclass(frozen=True)
class Saved:
    """A message was saved to a conversation (the user's own, or the job's result)."""

    conversation_id: int
    message_id: int | None


@dataclass(frozen=True)
class Done:
    """The last event of every job. `result` is what the job produced (also when it was
    cancelled part-way, e.g. a stopped reply's statistics); `error` is the exception of a
    failure, for callers that treat bugs differently from errors people can act on."""

    outcome: Outcome
    result: object = None
    message: str = ""
    error: Exception | None = None

    @property
    def is_bug(self) -> bool:
        """A failure that is not a HearthError: something in Hearth is wrong."""
        return self.error is not None and not isinstance(self.error, HearthError)


JobEvent = Progress | TextPiece | ContextTrimmed | Saved | Done
"""What a job yields; `Done` only last."""

JobWork = Generator[Progress | TextPiece | ContextTrimmed | Saved, None, object]
"""What `Job.work()` is: it yields events (never Done) and returns its result."""


class Job(ABC):
    """A long task; subclasses write `work()`, callers use `run()` and `cancel()`."""

    title: str = "Working"

    def __init__(self) -> None:
        self._cancel_requested = threading.Event()

    @property
    def cancelled(self) -> bool:
        """Whether the user asked this job to stop."""
        return self._cancel_requested.is_set()

    def cancel(self) -> None:
        """Ask the job to stop (any thread, or a signal handler). Only sets flags."""
        self._cancel_requested.set()
        self.on_cancel()

    def on_cancel(self) -> None:  # noqa: B027 (most jobs only need the flag)
        """The job's own way to stop what it waits on (e.g. the engine); flags only."""

    @abstractmethod
    def work(self) -> JobWork:
        """Do the task: yield events, raise JobCancelled when stopped, return the result."""

    def run(self) -> Iterator[JobEvent]:
        """`work()`'s events, then exactly one Done."""
        try:
            if self.cancelled:  # stopped before it began: nothing to keep
                raise JobCancelled(f"{self.title} was stopped before it began.")
            result = yield from self.work()
        except JobCancelled as stop:
            yield Done(Outcome.CANCELLED, stop.result, stop.message)
        except HearthError as exc:
            yield Done(Outcome.FAILED, message=exc.message, error=exc)
        except Exception as exc:
            log.exception("%s failed", self.title)
            # The traceback would keep this frame, and all it holds, alive: it is logged.
            exc.__traceback__ = None
            yield Done(Outcome.FAILED, message=message_for_people(exc), error=exc)
        else:
            yield Done(Outcome.COMPLETED, result)


class CallJob(Job):
    """A plain function as a job (importing a file, asking the Hub): its return value is the
    result. The function is given the job, to look at `cancelled` if it can stop early."""

    def __init__(self, function: Callable[[Job], object], title: str = "Working") -> None:
        super().__init__()
        self._function = function
        self.title = title

    def work(self) -> JobWork:
        result = self._function(self)
        yield from ()
        return result


def finish(job: Job) -> Done:
    """Run `job` to its end, ignoring its events (tests and simple callers)."""
    for event in job.run():
        if isinstance(event, Done):
            return event
    raise AssertionError("a job always ends with Done")
