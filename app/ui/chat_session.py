"""The window's link to the engine: it owns the engine process and runs engine jobs.

The engine is the local engine process, or a `RemoteEngine` when the model chosen is on a
server the user added: `load_model(config, engine)` switches to it for the jobs that follow,
and loading a local model switches back to the local process, which is kept (never closed)
meanwhile. Every job reads `session.engine` when it starts, so turns, summaries and e-mail
drafts run unchanged on either.

Every engine call blocks, so every engine job (a model load, a chat turn, a summary, the
draft's token count) runs through a `JobRunner` on one serial thread: the engine takes one
request at a time. Jobs that generate text go through one gate (`start`): one at a time, and
only with a model ready. The caller hands its own event and finish handlers; once its finish
handler has shown the outcome, the session is ready again and says so.

The engine may be shared with the local API (app/ui/local_api_switch.py): the session owns
the `EngineGate` whose turns the API's requests take too, and every job holds a turn while it
runs (waiting for it on the runner's thread, never on the UI thread), so the window and
another app never use the engine at once. A job that waits says so (`engine_waiting`).
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from pathlib import Path

from PySide6.QtCore import QObject, Signal

from app.engine.interface import Engine
from app.engine.protocol import LoadConfig, ModelInfo
from app.errors import EngineCrashedError, LoadCancelled
from app.serve.engine_gate import EngineGate
from app.tasks.engine_job import EngineJob
from app.tasks.gated_job import GatedJob
from app.tasks.job import CallJob, Done, Job, JobEvent, Outcome, Progress
from app.tasks.load_model import LoadModelJob
from app.ui.job_runner import JobRunner, serial_pool

EventHandler = Callable[[JobEvent], None]
DoneHandler = Callable[[Done], None]


class SessionState(StrEnum):
    IDLE = "idle"  # no model
    LOADING = "loading"
    READY = "ready"
    GENERATING = "generating"  # a job is writing with the model
    CRASHED = "crashed"  # the engine process died; `reload()` starts a fresh one


class ChatSession(QObject):
    """Owns the engine process on behalf of the window.

    Signals:
        state_changed(str): a SessionState.
        load_progress(float): how much of the model is loaded, 0.0 to 1.0.
        model_loaded(object): the ModelInfo of the model now loaded.
        model_failed(str): why a model could not be loaded (for people).
        engine_crashed(str): the engine process died during a job; `reload()` helps.
        job_event(object): an event of the running writing job (as its runner's `event`).
        job_finished(object): that job's Done, once the session is ready for the next job
            and the caller's own handler has run.
        engine_waiting(bool): True when a job must wait while the engine answers another
            app's request (the local API), False when its turn has come.
    """

    state_changed = Signal(str)
    load_progress = Signal(float)
    model_loaded = Signal(object)
    model_failed = Signal(str)
    engine_crashed = Signal(str)
    job_event = Signal(object)
    job_finished = Signal(object)
    engine_waiting = Signal(bool)

    def __init__(self, engine: Engine, database: Path, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.engine: Engine = engine
        self._local = engine  # the engine process, used again when a local model loads
        self._last_engine: Engine = engine
        self.database = database  # jobs open their own connection on the engine's thread
        self._pool = serial_pool()
        self._runners: set[JobRunner] = set()
        self._job: JobRunner | None = None
        self._load: JobRunner | None = None
        self._last_config: LoadConfig | None = None
        self.model: ModelInfo | None = None
        self.state = SessionState.IDLE
        # Shared with the local API's requests; the window's jobs wait as long as it takes.
        self.gate = EngineGate(wait_seconds=None)

    # --- models ------------------------------------------------------------------------------

    def load_model(self, config: LoadConfig, engine: Engine | None = None) -> None:
        """Load in the background, reporting `load_progress`; a load still running for
        another model is stopped first (the user changed their mind). With `engine` (a
        server's), the jobs that follow run there; without, on the local engine process."""
        self.cancel_load()
        # A server engine left behind holds nothing to free (the server is the user's).
        chosen = engine if engine is not None else self._local
        self.engine = chosen
        self._last_config, self._last_engine = config, chosen
        self.model = None
        self._set_state(SessionState.LOADING)
        runner = self._runner(LoadModelJob(chosen, config))
        runner.job_event.connect(self._on_load_event)
        runner.finished.connect(lambda done: self._on_load_done(runner, done))
        self._load = runner
        runner.start(self._pool)

    def cancel_load(self) -> None:
        """Stop a model load part-way; nothing stays loaded."""
        if self._load is not None:
            self._load.cancel()

    def reload(self) -> None:
        """After a crash: a fresh engine process with the last model."""
        if self._last_config is not None:
            self.load_model(self._last_config, self._last_engine)

    # --- jobs --------------------------------------------------------------------------------

    def start(self, job: EngineJob, on_event: EventHandler, on_finished: DoneHandler) -> bool:
        """Run a job that writes with the model (a turn, a summary) when the model is ready;
        False if another is running or no model is ready. `stop()` cancels it."""
        if self._job is not None or self.model is None or self.state != SessionState.READY:
            return False
        self._set_state(SessionState.GENERATING)
        runner = self._runner(job)
        runner.job_event.connect(self.job_event)
        runner.job_event.connect(on_event)
        # The caller shows the outcome first; then the session is ready again (and whoever
        # waits for "ready", like the summary queue, starts the next job).
        runner.finished.connect(on_finished)
        runner.finished.connect(self._on_job_done)
        runner.finished.connect(self.job_finished)
        self._job = runner
        runner.start(self._pool)
        return True

    def ask(self, work: Callable[[Engine], object], on_done: DoneHandler) -> None:
        """A short engine question (e.g. counting the draft's tokens), only when idle: it
        never delays a turn. `on_done` gets the job's Done; pass a method of a QObject (as
        with any slot), so that an answer arriving after its widget closed reaches nobody."""
        if self.state != SessionState.READY or self._job is not None:
            return
        engine = self.engine
        question = CallJob(lambda _job: work(engine), "A question to the model")
        runner = self._runner(question, wait=False)  # asked only if the engine is free now
        runner.finished.connect(on_done)
        runner.start(self._pool)

    def stop(self) -> None:
        if self._job is not None:
            self._job.cancel()

    @property
    def generating(self) -> bool:
        return self._job is not None

    @property
    def on_server(self) -> bool:
        """Whether the jobs run on a server the user added (not the local engine)."""
        return self.engine is not self._local

    def shutdown(self) -> None:
        """Stop any job and end the engine process (called when the window closes)."""
        self.stop()
        self.cancel_load()
        self._pool.waitForDone(10_000)
        if self.engine is not self._local:
            self.engine.close()
        self._local.close()

    # --- results, on the UI thread -----------------------------------------------------------

    def _runner(self, job: Job, *, wait: bool = True) -> JobRunner:
        gated = GatedJob(job, self.gate, wait=wait, on_wait=self.engine_waiting.emit)
        runner = JobRunner(gated, parent=self)
        self._runners.add(runner)
        runner.finished.connect(lambda _done: self._runners.discard(runner))
        return runner

    def _set_state(self, state: SessionState) -> None:
        self.state = state
        self.state_changed.emit(state.value)

    def _on_load_event(self, event: object) -> None:
        if isinstance(event, Progress):
            self.load_progress.emit(event.fraction)

    def _on_load_done(self, runner: JobRunner, done: Done) -> None:
        if runner is not self._load:
            return  # superseded by a newer load (which is queued behind this one)
        self._load = None
        if isinstance(done.result, ModelInfo):
            self.model = done.result
            self._set_state(SessionState.READY)
            self.model_loaded.emit(done.result)
            return
        self.model = None
        self._set_state(SessionState.IDLE)
        if done.outcome is Outcome.FAILED and not isinstance(done.error, LoadCancelled):
            self.model_failed.emit(done.message)

    def _on_job_done(self, done: Done) -> None:
        self._job = None
        if isinstance(done.error, EngineCrashedError):
            self.model = None
            self._set_state(SessionState.CRASHED)
            self.engine_crashed.emit(done.message)
        elif self.state == SessionState.GENERATING:
            self._set_state(SessionState.READY if self.model is not None else SessionState.CRASHED)
