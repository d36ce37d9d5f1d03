"""The Qt-free client of the engine process.

`EngineClient` starts the engine process, sends it requests and turns its replies into
return values, a stream of `ChatEvent`s, or `HearthError`s. It watches the process while it
waits: if the process dies (a signal, an abort inside llama.cpp) the waiting call raises
`EngineCrashedError` at once, and the next `load` starts a fresh process.

Threading: one thread makes requests; `cancel()` may be called from any thread or from a
signal handler (it only sets a flag, which the waiting loop forwards to the engine).
"""

from __future__ import annotations

import contextlib
import itertools
import logging
import multiprocessing
import signal
import threading
from collections.abc import Callable, Generator, Iterator, Sequence
from multiprocessing.connection import Connection, wait
from multiprocessing.process import BaseProcess
from pathlib import Path

from app.engine.protocol import (
    ChatEvent,
    ChatMessage,
    ChatPayload,
    ChatStats,
    CountPayload,
    CountTextsPayload,
    Failure,
    LoadConfig,
    LoadProgress,
    ModelInfo,
    Reply,
    Request,
    SamplingParams,
)
from app.errors import (
    ContextOverflowError,
    EngineCrashedError,
    EngineError,
    HearthError,
    LoadCancelled,
    ModelFileError,
)

log = logging.getLogger("hearth.engine")

POLL_SECONDS = 0.02  # how often a waiting call looks at the cancel flag
DRAIN_SECONDS = 10.0  # how long to wait for a cancelled request to wind down


class EngineClient:
    """Talks to one engine process at a time; see the module docstring."""

    def __init__(self, log_file: Path) -> None:
        self._log_file = log_file
        self._process: BaseProcess | None = None
        self._conn: Connection | None = None
        self._ids = itertools.count(1)
        self._cancel_requested = threading.Event()
        self._config: LoadConfig | None = None
        self.model: ModelInfo | None = None

    # --- process lifecycle -------------------------------------------------------------------

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process is not None else None

    @property
    def is_running(self) -> bool:
        return self._process is not None and self._process.is_alive()

    def start(self) -> None:
        """Start a fresh engine process (stopping any previous one)."""
        # Imported here: the worker's modules (numpy among them) are the child's, and the
        # window starts faster without them.
        from app.engine.worker import engine_main

        self.close()
        context = multiprocessing.get_context("spawn")
        parent_end, child_end = context.Pipe(duplex=True)
        process = context.Process(
            target=engine_main,
            args=(child_end, str(self._log_file)),
            name="hearth-engine",
            daemon=True,
        )
        process.start()
        child_end.close()
        self._process, self._conn = process, parent_end
        log.info("started engine process %s", process.pid)

    def close(self, timeout: float = 3.0) -> None:
        """Stop the engine process; the model is freed with it."""
        process, conn = self._process, self._conn
        self._process, self._conn, self.model = None, None, None
        if process is None or conn is None:
            return
        try:
            if process.is_alive():
                conn.send(Request(next(self._ids), "shutdown"))
            process.join(timeout)
        except (OSError, ValueError):
            pass
        if process.is_alive():
            process.kill()
            process.join(timeout)
        conn.close()
        process.close()

    def restart(self) -> ModelInfo | None:
        """Start a fresh process and load the last model again, if there was one."""
        self.start()
        return self.load(self._config) if self._config is not None else None

    def __enter__(self) -> EngineClient:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    # --- requests ----------------------------------------------------------------------------

    def load(
        self, config: LoadConfig, on_progress: Callable[[float], None] | None = None
    ) -> ModelInfo:
        """Load a model (starting the engine if needed) and describe it.

        `on_progress` hears the fraction loaded (0.0 to 1.0) as it grows. `cancel()` stops
        the load part-way: LoadCancelled, and no model is loaded."""
        steps = self.load_steps(config)
        while True:
            try:
                fraction = next(steps)
            except StopIteration as done:
                info: ModelInfo = done.value
                return info
            if on_progress is not None:
                on_progress(fraction)

    def load_steps(self, config: LoadConfig) -> Generator[float, None, ModelInfo]:
        """`load`, yielding the fraction loaded as it grows and returning the ModelInfo."""
        if not self.is_running:
            self.start()
        self._config = config
        self.model = None
        try:
            rid = self._send("load", config)
            while not (reply := self._next_reply(rid)).final:
                if isinstance(reply.event, LoadProgress):
                    yield reply.event.fraction
            info = _unwrap(reply.event)
        except EngineCrashedError as exc:
            raise ModelFileError(
                f"The engine stopped while loading {config.model_path} ({exc.reason}): the "
                "file is damaged or not a usable GGUF model. Choose another file."
            ) from exc
        finally:
            self.reset_cancel()
        assert isinstance(info, ModelInfo)
        self.model = info
        return info

    def unload(self) -> None:
        if self.is_running:
            self._call("unload", None)
        self.model = None

    def count_tokens(
        self,
        messages: Sequence[ChatMessage],
        add_generation_prompt: bool = True,
        reply_prefix: str = "",
    ) -> int:
        """Tokens of `messages` as the model's chat template renders them (plus the start
        of a reply being continued)."""
        count = self._call(
            "count", CountPayload(tuple(messages), add_generation_prompt, reply_prefix)
        )
        assert isinstance(count, int)
        return count

    def count_texts(self, texts: Sequence[str]) -> list[int]:
        """Tokens of each plain text (as it would sit inside a message), in one round trip."""
        counts = self._call("count_texts", CountTextsPayload(tuple(texts)))
        assert isinstance(counts, list)
        return counts

    def chat(
        self,
        messages: Sequence[ChatMessage],
        sampling: SamplingParams | None = None,
        reply_prefix: str = "",
        *,
        keep_state: bool = False,
    ) -> Iterator[ChatEvent]:
        """Stream a reply: `TextPiece`s, then one `ChatStats`. Stop early with `cancel()`.

        With `reply_prefix`, the model continues that unfinished reply; only the new text
        is streamed. With `keep_state`, the engine keeps the conversation's evaluated state
        afterwards (when the model was loaded with a state cache), so that it resumes without
        re-reading its history when it comes back."""
        payload = ChatPayload(
            tuple(messages), sampling or SamplingParams(), reply_prefix, keep_state
        )
        rid = self._send("chat", payload)
        finished = False
        try:
            while True:
                reply = self._next_reply(rid)
                if reply.final:
                    finished = True
                    result = _unwrap(reply.event)
                    assert isinstance(result, ChatStats)
                    yield result
                    return
                yield reply.event  # type: ignore[misc]
        finally:
            if not finished and self.is_running:
                self._abandon(rid)
            self.reset_cancel()

    def cancel(self) -> None:
        """Ask the running request to stop; safe from any thread and from signal handlers.

        The request stays asked until a chat or load ends, so a cancel that lands while a
        turn is still counting tokens stops the reply that follows."""
        self._cancel_requested.set()

    def reset_cancel(self) -> None:
        """Forget a cancel from before: called when the user starts something new."""
        self._cancel_requested.clear()

    # --- plumbing ----------------------------------------------------------------------------

    def _call(self, op: str, payload: object) -> object:
        rid = self._send(op, payload)
        while not (reply := self._next_reply(rid)).final:
            pass
        return _unwrap(reply.event)

    def _send(self, op: str, payload: object) -> int:
        if not self.is_running or self._conn is None:
            if op == "load":
                self.start()
            else:
                raise EngineError("No model is loaded. Load a model first.")
        assert self._conn is not None
        rid = next(self._ids)
        self._conn.send(Request(rid, op, payload))  # type: ignore[arg-type]
        return rid

    def _next_reply(self, rid: int, timeout: float | None = None) -> Reply:
        """Wait for the next reply to `rid`, forwarding cancels and watching for a crash."""
        assert self._conn is not None
        assert self._process is not None
        conn, sentinel = self._conn, self._process.sentinel
        waited, cancel_sent = 0.0, False
        while timeout is None or waited < timeout:
            if self._cancel_requested.is_set() and not cancel_sent:
                self._send_cancel(rid)
                cancel_sent = True
            ready = wait([conn, sentinel], POLL_SECONDS)
            waited += POLL_SECONDS if not ready else 0.0
            if conn in ready or conn.poll():
                try:
                    reply: Reply = conn.recv()
                except (EOFError, OSError):
                    self._crashed()
                if reply.request_id == rid:
                    return reply
            elif sentinel in ready:
                self._crashed()
        raise EngineError("The engine did not answer in time. Reload the model.")

    def _send_cancel(self, rid: int) -> None:
        assert self._conn is not None
        with contextlib.suppress(OSError):  # the process is gone; _next_reply reports that
            self._conn.send(Request(next(self._ids), "cancel", rid))

    def _abandon(self, rid: int) -> None:
        """The caller stopped reading a stream: cancel it and drain, so the pipe stays in step."""
        self._send_cancel(rid)
        try:
            while not self._next_reply(rid, timeout=DRAIN_SECONDS).final:
                pass
        except HearthError:
            log.warning("engine did not wind down request %s; restarting it", rid)
            self.close()

    def _crashed(self) -> None:
        process = self._process
        assert process is not None
        process.join(1.0)
        reason = _describe_exit(process.exitcode)
        log.error("engine process %s stopped unexpectedly (%s)", process.pid, reason)
        self.close(timeout=0.5)
        raise EngineCrashedError(
            f"The model engine stopped unexpectedly ({reason}). Nothing you wrote is lost; "
            "reload the model to continue.",
            reason,
        ) from None


def _describe_exit(exitcode: int | None) -> str:
    if exitcode is None:
        return "no exit status"
    if exitcode < 0:
        try:
            return f"killed by {signal.Signals(-exitcode).name}"
        except ValueError:
            return f"killed by signal {-exitcode}"
    return f"exit code {exitcode}"


def _unwrap(event: object) -> object:
    if isinstance(event, Failure):
        error_class: type[HearthError] = {
            "model_file": ModelFileError,
            "context": ContextOverflowError,
            "cancelled": LoadCancelled,
        }.get(event.kind, EngineError)
        raise error_class(event.message)
    return event
