"""The window's link to the engine: load a model, run a chat turn, stop, reload.

All engine calls block, so they run as BackgroundTasks on one serial thread (the engine
takes one request at a time). A turn opens its own History connection on that thread
(SQLite connections belong to the thread that made them) and runs the same
`run_chat_turn` as the CLI, so the writing rule holds in the window too.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from types import EllipsisType

from PySide6.QtCore import QObject, Signal

from app.engine.client import EngineClient
from app.engine.protocol import ChatMessage, LoadConfig, ModelInfo, SamplingParams, TextPiece
from app.errors import EngineCrashedError, LoadCancelled, SummaryStopped, message_for_people
from app.store import History
from app.tasks.chat_turn import (
    HistoryTrimmed,
    TurnEvent,
    TurnFinished,
    continue_reply,
    regenerate_reply,
    run_chat_turn,
)
from app.tasks.summarize import SummaryEvent, SummaryJob, SummaryProgress, SummaryReady
from app.tasks.summary_prompts import SummaryStyle
from app.ui.background import BackgroundTask, CancelToken, serial_pool


class ChatSession(QObject):
    """Owns the engine process on behalf of the window.

    Signals:
        state_changed(str): "idle" | "loading" | "ready" | "generating" | "crashed".
        load_progress(float): how much of the model is loaded, 0.0 to 1.0.
        model_loaded(object): the ModelInfo of the model now loaded.
        model_failed(str): why a model could not be loaded (for people).
        text_received(str): a piece of the reply being written.
        history_trimmed(int): how many older messages were left out of this turn's prompt.
        turn_finished(object): the TurnFinished of a completed or stopped turn.
        tokens_counted(int): the token count a `count_tokens` call asked for.
        turn_failed(str): why the turn failed (the engine is still fine).
        engine_crashed(str): the engine process died during the turn; `reload()` helps.
        summary_progress(object): a SummaryProgress of the document being summarized.
        summary_ready(object): a SummaryReady: the summary is saved as a conversation.
        summary_failed(str, bool): why a summary did not finish; True if the user stopped it
            (its finished parts are kept: summarizing the file again resumes).
    """

    state_changed = Signal(str)
    load_progress = Signal(float)
    model_loaded = Signal(object)
    model_failed = Signal(str)
    text_received = Signal(str)
    history_trimmed = Signal(int)
    turn_finished = Signal(object)
    tokens_counted = Signal(int)
    turn_failed = Signal(str)
    engine_crashed = Signal(str)
    summary_progress = Signal(object)
    summary_ready = Signal(object)
    summary_failed = Signal(str, bool)

    def __init__(self, engine: EngineClient, database: Path, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._engine = engine
        self._database = database
        self._pool = serial_pool()
        self._tasks: set[BackgroundTask] = set()
        self._turn: BackgroundTask | None = None
        self._load: BackgroundTask | None = None
        self._finished_turn: TurnFinished | None = None
        self._last_config: LoadConfig | None = None
        self.model: ModelInfo | None = None
        self.state = "idle"

    # --- commands from the window ------------------------------------------------------------

    def load_model(self, config: LoadConfig) -> None:
        """Load in the background, reporting `load_progress`; a load still running for
        another model is stopped first (the user changed their mind)."""
        self.cancel_load()
        self._last_config = config
        self.model = None
        self._set_state("loading")

        def work(token: CancelToken) -> ModelInfo:
            if token.cancelled:  # stopped while it waited its turn: the engine's flag too
                self._engine.reset_cancel()
                raise LoadCancelled(f"Loading {config.model_path.name} was stopped.")
            return self._engine.load(config, on_progress=task.yielded.emit)

        task = self._task(work, on_cancel=self._engine.cancel)
        task.yielded.connect(self._on_load_progress)
        task.succeeded.connect(lambda info: self._on_loaded(task, info))
        task.failed.connect(lambda error: self._on_load_failed(task, error))
        task.finished.connect(lambda: self._on_load_failed(task, None))  # cancelled, loaded
        self._load = task
        task.start(self._pool)

    def cancel_load(self) -> None:
        """Stop a model load part-way; nothing stays loaded."""
        if self._load is not None:
            self._load.cancel()

    def reload(self) -> None:
        """After a crash: a fresh engine process with the last model."""
        if self._last_config is not None:
            self.load_model(self._last_config)

    def send(
        self,
        conversation_id: int,
        text: str,
        sampling: SamplingParams,
        parent_id: int | EllipsisType | None = ...,
    ) -> bool:
        """Start a turn (under `parent_id` for an edit); False if busy or no model is ready."""
        database = self._database

        def work(_token: CancelToken) -> Iterator[TurnEvent]:
            with History.open(database) as history:
                yield from run_chat_turn(
                    history, self._engine, conversation_id, text, sampling, parent_id
                )

        return self._start_turn(work)

    def regenerate(
        self, conversation_id: int, user_message_id: int, sampling: SamplingParams
    ) -> bool:
        """Another reply to `user_message_id`, as a new branch; False if busy or no model."""
        database = self._database

        def work(_token: CancelToken) -> Iterator[TurnEvent]:
            with History.open(database) as history:
                yield from regenerate_reply(
                    history, self._engine, conversation_id, user_message_id, sampling
                )

        return self._start_turn(work)

    def continue_reply(
        self, conversation_id: int, reply_message_id: int, sampling: SamplingParams
    ) -> bool:
        """Carry on a reply that stopped part-way, in the same message; False if busy."""
        database = self._database

        def work(_token: CancelToken) -> Iterator[TurnEvent]:
            with History.open(database) as history:
                yield from continue_reply(
                    history, self._engine, conversation_id, reply_message_id, sampling
                )

        return self._start_turn(work)

    def summarize(
        self, path: Path, style: SummaryStyle, sampling: SamplingParams, max_bytes: int
    ) -> bool:
        """Summarize `path` with the loaded model; reports summary_progress, then
        summary_ready or summary_failed. False if busy or no model is ready."""
        database = self._database

        def work(_token: CancelToken) -> Iterator[SummaryEvent]:
            with History.open(database) as history:
                job = SummaryJob(history, self._engine, path, style, sampling, max_bytes=max_bytes)
                yield from job.run()

        return self._start_turn(work, self._on_summary_event, self._on_summary_failed)

    def _on_summary_event(self, event: object) -> None:
        if isinstance(event, SummaryProgress):
            self.summary_progress.emit(event)
        elif isinstance(event, SummaryReady):
            self.summary_ready.emit(event)

    def _on_summary_failed(self, error: object) -> None:
        if isinstance(error, EngineCrashedError):
            self.model = None
        self.summary_failed.emit(message_for_people(error), isinstance(error, SummaryStopped))

    def _start_turn(
        self,
        work: Callable[[CancelToken], Iterator[object]],
        on_event: Callable[[object], None] | None = None,
        on_failed: Callable[[object], None] | None = None,
    ) -> bool:
        """Run a generating job (a turn by default, or a summary) when the model is ready;
        Stop cancels it and the state goes back to ready when it ends."""
        if self._turn is not None or self.model is None or self.state != "ready":
            return False
        self._set_state("generating")
        task = self._task(work, on_cancel=self._engine.cancel)
        task.yielded.connect(on_event or self._on_turn_event)
        task.failed.connect(on_failed or self._on_turn_failed)
        task.finished.connect(self._on_turn_done)
        self._turn = task
        task.start(self._pool)
        return True

    def count_tokens(self, messages: list[ChatMessage]) -> None:
        """Count `messages` with the model's template (only when idle: never delays a turn)."""
        if self.state != "ready" or self._turn is not None:
            return
        task = self._task(lambda _token: self._engine.count_tokens(messages))
        task.succeeded.connect(self._on_counted)
        task.start(self._pool)

    def _on_counted(self, count: object) -> None:
        if isinstance(count, int):
            self.tokens_counted.emit(count)

    def stop(self) -> None:
        if self._turn is not None:
            self._turn.cancel()

    @property
    def generating(self) -> bool:
        return self._turn is not None

    def shutdown(self) -> None:
        """Stop any turn and end the engine process (called when the window closes)."""
        self.stop()
        self._pool.waitForDone(10_000)
        self._engine.close()

    # --- results, on the UI thread -----------------------------------------------------------

    def _task(self, work: object, on_cancel: object = None) -> BackgroundTask:
        task = BackgroundTask(work, on_cancel=on_cancel, parent=self)  # type: ignore[arg-type]
        self._tasks.add(task)
        task.finished.connect(lambda: self._tasks.discard(task))
        return task

    def _set_state(self, state: str) -> None:
        self.state = state
        self.state_changed.emit(state)

    def _on_load_progress(self, fraction: object) -> None:
        if isinstance(fraction, float):
            self.load_progress.emit(fraction)

    def _on_loaded(self, task: BackgroundTask, info: object) -> None:
        assert isinstance(info, ModelInfo)
        if task is not self._load:
            return  # superseded by a newer load (which is queued behind this one)
        self._load = None
        self.model = info
        self._set_state("ready")
        self.model_loaded.emit(info)

    def _on_load_failed(self, task: BackgroundTask, error: object) -> None:
        """A load that failed, or was cancelled (`error` None or LoadCancelled): no model."""
        if task is not self._load:
            return
        self._load = None
        self.model = None
        self._set_state("idle")
        if error is not None and not isinstance(error, LoadCancelled):
            self.model_failed.emit(message_for_people(error))

    def _on_turn_event(self, event: object) -> None:
        if isinstance(event, TextPiece):
            self.text_received.emit(event.text)
        elif isinstance(event, HistoryTrimmed):
            self.history_trimmed.emit(event.omitted_messages)
        elif isinstance(event, TurnFinished):
            self._finished_turn = event  # announced once the session is ready again

    def _on_turn_failed(self, error: object) -> None:
        if isinstance(error, EngineCrashedError):
            self.model = None
            self.engine_crashed.emit(message_for_people(error))
        else:
            self.turn_failed.emit(message_for_people(error))

    def _on_turn_done(self) -> None:
        """Settle the state first, so whoever hears turn_finished can send again at once."""
        self._turn = None
        if self.state == "generating":
            self._set_state("ready" if self.model is not None else "crashed")
        finished, self._finished_turn = self._finished_turn, None
        if finished is not None:
            self.turn_finished.emit(finished)
