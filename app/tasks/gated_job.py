"""A job that runs only while it holds a turn of an engine gate (app/serve/engine_gate.py).

The window's engine jobs and the local API's requests share one engine, which answers one
request at a time: each window job first waits for its turn (on the thread that runs it),
then runs, then lets the next one in. Cancelling works at every point: while the job waits,
the wait is given up at once and the engine is left alone (it may be answering another
app's request); once the job holds the engine, the job's own cancel runs, as without a gate.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator

from app.errors import EngineError
from app.serve.engine_gate import EngineBusy, EngineGate, GateClosed, TurnGivenUp
from app.tasks.job import Done, Job, JobEvent, JobWork, Outcome

ENGINE_BUSY = "The model is answering a request from another app; try again when it has finished."


def _ignore(_waiting: bool) -> None:
    pass


class GatedJob(Job):
    """Runs `job` within a turn of `gate`. `on_wait(True)` is called (on the job's thread)
    when the job must wait because another holds the engine, `on_wait(False)` when the wait
    ends. With `wait` False the job does not wait: it fails at once if the engine is taken
    (for short questions that must never hold up the jobs queued behind them)."""

    def __init__(
        self,
        job: Job,
        gate: EngineGate,
        *,
        wait: bool = True,
        on_wait: Callable[[bool], None] = _ignore,
    ) -> None:
        super().__init__()
        self.job = job
        self.title = job.title
        self._gate = gate
        self._wait = wait
        self._on_wait = on_wait
        self._lock = threading.Lock()
        self._holding = False

    def on_cancel(self) -> None:
        with self._lock:
            if self._holding:
                self.job.cancel()
        self._gate.wake()  # a waiting turn gives up

    def work(self) -> JobWork:  # pragma: no cover (run() is overridden)
        raise NotImplementedError

    def run(self) -> Iterator[JobEvent]:
        waiting = self._wait and self._gate.taken
        if waiting:
            self._on_wait(True)
        try:
            with self._gate.turn(given_up=lambda: self.cancelled, wait=self._wait):
                if waiting:
                    waiting = False
                    self._on_wait(False)
                with self._lock:
                    self._holding = not self.cancelled
                if not self._holding:
                    raise TurnGivenUp
                try:
                    yield from self.job.run()
                finally:
                    with self._lock:
                        self._holding = False
        except (TurnGivenUp, GateClosed):
            yield Done(Outcome.CANCELLED, message=f"{self.title} was stopped before it began.")
        except EngineBusy:
            error = EngineError(ENGINE_BUSY)
            yield Done(Outcome.FAILED, message=error.message, error=error)
        finally:
            if waiting:
                self._on_wait(False)
