"""One rule for every streamed reply: a summary's final call ends as a chat turn's does."""

from __future__ import annotations

import os
import signal
from pathlib import Path

from app.engine.client import EngineClient
from app.engine.protocol import SamplingParams, TextPiece
from app.errors import EngineCrashedError
from app.store import DocumentStatus, DocumentStore, History
from app.tasks.chat_turn import ChatTurnJob
from app.tasks.job import Done, Job, Outcome
from app.tasks.summarize import SummaryJob
from app.tasks.summary_prompts import SummaryStyle
from tests.conftest import load_config
from tests.support.tiny_gguf import long_text

LONG = SamplingParams(max_tokens=1500, seed=2)


def crash_after_pieces(job: Job, engine: EngineClient, pieces: int) -> tuple[str, Done]:
    """Run `job`, killing the engine process once `pieces` pieces of text have streamed."""
    received: list[str] = []
    for event in job.run():
        if isinstance(event, TextPiece):
            received.append(event.text)
            if len(received) == pieces and engine.pid is not None:
                os.kill(engine.pid, signal.SIGKILL)
        elif isinstance(event, Done):
            return "".join(received), event
    raise AssertionError("no Done")


def test_an_engine_crash_in_a_summarys_final_call_fails_its_reply_like_a_turns(
    history: History, engine: EngineClient, random_model: Path, tmp_path: Path
) -> None:
    engine.load(load_config(random_model, n_ctx=2048))
    memo = tmp_path / "memo.txt"
    memo.write_text(long_text(20, seed=5), "utf-8")  # one call: the final one streams
    summary = SummaryJob(history, engine, memo, SummaryStyle(), LONG)
    summary_text, summary_done = crash_after_pieces(summary, engine, 5)

    engine.load(load_config(random_model, n_ctx=2048))
    cid = history.create_conversation()
    turn = ChatTurnJob.send(history, engine, cid, "go", LONG)
    turn_text, turn_done = crash_after_pieces(turn, engine, 5)

    (summary_cid,) = [c.id for c in history.list_conversations() if c.id != cid]
    summary_reply = history.active_path(summary_cid)[-1]
    turn_reply = history.active_path(cid)[-1]
    for done, reply, text in (
        (summary_done, summary_reply, summary_text),
        (turn_done, turn_reply, turn_text),
    ):
        assert done.outcome is Outcome.FAILED
        assert isinstance(done.error, EngineCrashedError)
        assert (reply.status, reply.content) == ("failed", text)
        assert reply.error == done.message
        assert "stopped unexpectedly" in done.message
    (document,) = DocumentStore(history).for_conversation(summary_cid)
    assert document.status is DocumentStatus.FAILED
    assert document.error == summary_done.message
