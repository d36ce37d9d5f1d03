"""The base of every job that asks the engine for work: one cancel path, one model check.

Cancelling an engine job asks the engine to stop (it answers the running request with
finish reason "cancelled", or LoadCancelled for a load). A job begins by forgetting a stop
meant for an earlier request, then looks at its own flag, so a Stop pressed while the job
waited for its turn is never lost.
"""

from __future__ import annotations

from contextlib import AbstractContextManager, nullcontext
from pathlib import Path

from app.engine.interface import Engine
from app.engine.protocol import ModelInfo
from app.errors import EngineError, JobCancelled
from app.store import History
from app.tasks.job import Job

HistorySource = History | Path
"""A job's history: an open History (the CLI's, used on its own thread) or the database
file, opened by the job on the thread that runs it (SQLite connections belong to one)."""


def require_model(engine: Engine) -> ModelInfo:
    """The loaded model, or the one error that says none is."""
    if engine.model is None:
        raise EngineError("No model is loaded. Load a model first.")
    return engine.model


def use_history(source: HistorySource) -> AbstractContextManager[History]:
    """`source` itself, or a History opened on it and closed afterwards."""
    return nullcontext(source) if isinstance(source, History) else History.open(source)


class EngineJob(Job):
    """A job that talks to `engine`; subclasses call `begin()` first in `work()`."""

    def __init__(self, engine: Engine) -> None:
        super().__init__()
        self.engine = engine

    def on_cancel(self) -> None:
        self.engine.cancel()

    def begin(self, *, needs_model: bool = True) -> ModelInfo | None:
        """Start clean: an earlier stop is forgotten, this job's own is honoured."""
        self.engine.reset_cancel()
        if self.cancelled:
            raise JobCancelled(f"{self.title} was stopped before it began.")
        return require_model(self.engine) if needs_model else self.engine.model
