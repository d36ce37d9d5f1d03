"""The engine process: owns the model, answers requests from the client one at a time.

Why a process: llama.cpp aborts the whole process on some bad files and failed assertions.
Here such a crash costs only this process; the window and the history survive and the
client starts a fresh one. Everything this process prints, native code included, goes to
Hearth's log file, never to the user's terminal.
"""

from __future__ import annotations

import logging
import os
import queue
import signal
import sys
import threading
from multiprocessing.connection import Connection
from pathlib import Path

from app.engine.protocol import (
    ChatPayload,
    ChatStats,
    CountPayload,
    CountTextsPayload,
    Failure,
    FailureKind,
    LoadConfig,
    LoadProgress,
    Reply,
    Request,
    TextPiece,
)
from app.engine.runner import CancelFlag, ModelRunner
from app.errors import ContextOverflowError, HearthError, LoadCancelled, ModelFileError
from app.logs import configure_file_logging

log = logging.getLogger("hearth.engine")


def engine_main(conn: Connection, log_file: str) -> None:
    """Entry point of the engine process (started by EngineClient with 'spawn')."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl+C is the client's to handle
    _send_output_to(log_file)
    configure_file_logging(Path(log_file))
    import llama_cpp  # noqa: F401  (load the native library before routing its logs)

    from app.engine.native_log import route_native_logs

    route_native_logs()
    log.info("engine process %d started", os.getpid())
    cancel = CancelFlag()
    inbox: queue.Queue[Request | None] = queue.Queue()
    threading.Thread(target=_read_requests, args=(conn, inbox, cancel), daemon=True).start()
    runner = ModelRunner(cancel)
    while (request := inbox.get()) is not None and request.op != "shutdown":
        cancel.active_request = request.request_id
        _handle(request, runner, conn)
    runner.unload()
    log.info("engine process %d stopping", os.getpid())


def _send_output_to(log_file: str) -> None:
    """Point file descriptors 1 and 2 (what native code prints to) at the log file."""
    Path(log_file).parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(log_file, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    sys.stdout.flush()
    sys.stderr.flush()
    os.dup2(fd, 1)
    os.dup2(fd, 2)
    os.close(fd)


def _read_requests(
    conn: Connection, inbox: queue.Queue[Request | None], cancel: CancelFlag
) -> None:
    """Runs on its own thread so that a cancel arrives while the main thread is busy."""
    while True:
        try:
            request: Request = conn.recv()
        except (EOFError, OSError):
            # The client went away (closed, or killed): stop what is running, then exit.
            cancel.cancel(cancel.active_request)
            inbox.put(None)
            return
        if request.op == "cancel":
            assert isinstance(request.payload, int)
            cancel.cancel(request.payload)
        else:
            inbox.put(request)


def _handle(request: Request, runner: ModelRunner, conn: Connection) -> None:
    rid = request.request_id
    try:
        result = _run(request, runner, conn)
    except HearthError as exc:
        result = Failure(_failure_kind(exc), exc.message)
    except Exception as exc:  # a bug: keep the process alive, log it, tell the client
        log.exception("engine request %s failed", request.op)
        result = Failure(
            "engine", f"The engine hit an internal error ({exc}). Details are in Hearth's log file."
        )
    conn.send(Reply(rid, result, final=True))
    payload = request.payload
    if isinstance(payload, ChatPayload) and payload.keep_state and isinstance(result, ChatStats):
        _keep_state(runner)


def _keep_state(runner: ModelRunner) -> None:
    """After the reply is out: a failure here costs a later cache miss, never the reply."""
    try:
        runner.keep_state()
    except Exception:
        log.exception("could not keep the conversation's state")


def _run(request: Request, runner: ModelRunner, conn: Connection) -> object:
    payload = request.payload
    if request.op == "load":
        assert isinstance(payload, LoadConfig)

        def progress(event: LoadProgress) -> None:
            conn.send(Reply(request.request_id, event, final=False))

        return runner.load(payload, progress)
    if request.op == "chat":
        assert isinstance(payload, ChatPayload)

        def emit(piece: TextPiece) -> None:
            conn.send(Reply(request.request_id, piece, final=False))

        return runner.chat(payload.messages, payload.sampling, emit, payload.reply_prefix)
    if request.op == "count":
        assert isinstance(payload, CountPayload)
        return len(
            runner.tokenize_chat(
                payload.messages, payload.add_generation_prompt, payload.reply_prefix
            )
        )
    if request.op == "count_texts":
        assert isinstance(payload, CountTextsPayload)
        return [len(runner.tokenize_text(text)) for text in payload.texts]
    if request.op == "unload":
        runner.unload()
        return None
    raise ValueError(f"unknown engine request {request.op!r}")


def _failure_kind(exc: HearthError) -> FailureKind:
    if isinstance(exc, ModelFileError):
        return "model_file"
    if isinstance(exc, LoadCancelled):
        return "cancelled"
    if isinstance(exc, ContextOverflowError):
        return "context"
    return "engine"
