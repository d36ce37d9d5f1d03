"""A chat turn against a real engine and a real history file: the writing rule holds."""

from __future__ import annotations

import os
import signal
from pathlib import Path

from app.engine.client import EngineClient
from app.engine.protocol import ChatMessage, SamplingParams, TextPiece
from app.errors import ContextOverflowError, EngineCrashedError, InvalidInputError
from app.store import History
from app.tasks.chat_turn import ChatTurnJob, TurnFinished
from app.tasks.job import ContextTrimmed, Done, Outcome, Saved
from tests.conftest import load_config
from tests.support.jobs import run_to_end, streamed

GREEDY = SamplingParams(temperature=0.0, max_tokens=32, seed=1)


def test_a_turn_saves_both_messages_with_stats(
    history: History, engine: EngineClient, scripted_model: Path
) -> None:
    engine.load(load_config(scripted_model))
    cid = history.create_conversation(system_prompt="Be kind.")
    events, done = run_to_end(ChatTurnJob.send(history, engine, cid, "Hi there", GREEDY))
    finished = done.result
    assert done.outcome is Outcome.COMPLETED
    assert isinstance(finished, TurnFinished)
    assert streamed(events) == "Hello, world!"
    user, reply = history.active_path(cid)
    saved = [e for e in events if isinstance(e, Saved)]
    assert saved == [Saved(cid, user.id), Saved(cid, reply.id)]
    assert (user.role, user.content, user.status) == ("user", "Hi there", "complete")
    assert (reply.role, reply.content, reply.status) == ("assistant", "Hello, world!", "complete")
    assert reply.parent_id == user.id
    assert finished.reply_message_id == reply.id
    assert reply.stats is not None
    assert reply.stats["completion_tokens"] == finished.stats.completion_tokens
    assert history.get_conversation(cid).title == "Hi there"


def test_the_user_message_is_committed_before_generation(
    history: History, engine: EngineClient, scripted_model: Path, tmp_path: Path
) -> None:
    engine.load(load_config(scripted_model))
    cid = history.create_conversation()
    turn = ChatTurnJob.send(history, engine, cid, "Is this saved?", GREEDY).run()
    assert isinstance(next(turn), Saved)
    first = next(turn)  # the first piece has arrived; the turn is not over
    assert isinstance(first, TextPiece)
    with History.open(tmp_path / "hearth.db") as other_connection:
        saved = other_connection.active_path(cid)
    assert [m.role for m in saved] == ["user", "assistant"]
    assert saved[0].content == "Is this saved?"
    assert saved[1].status == "streaming"
    list(turn)


def test_follow_up_turns_send_the_history(
    history: History, engine: EngineClient, scripted_model: Path
) -> None:
    engine.load(load_config(scripted_model))
    cid = history.create_conversation()
    first = run_to_end(ChatTurnJob.send(history, engine, cid, "One", GREEDY))[1].result
    second = run_to_end(ChatTurnJob.send(history, engine, cid, "Two", GREEDY))[1].result
    assert isinstance(first, TurnFinished)
    assert isinstance(second, TurnFinished)
    assert second.stats.prompt_tokens > first.stats.prompt_tokens
    assert second.stats.cached_tokens >= first.stats.prompt_tokens
    assert [m.content for m in history.active_path(cid)] == [
        "One",
        "Hello, world!",
        "Two",
        "Hello, world!",
    ]


def test_old_turns_left_out_are_announced(
    history: History, engine: EngineClient, scripted_model: Path
) -> None:
    engine.load(load_config(scripted_model, n_ctx=256))
    cid = history.create_conversation()
    for i in range(12):
        text = f"message number {i} " + "pad " * 10
        run_to_end(ChatTurnJob.send(history, engine, cid, text, GREEDY))
    events, done = run_to_end(ChatTurnJob.send(history, engine, cid, "and now?", GREEDY))
    trimmed = [e for e in events if isinstance(e, ContextTrimmed)]
    assert len(trimmed) == 1
    assert trimmed[0].omitted_messages >= 2
    assert isinstance(done.result, TurnFinished)
    assert done.result.status == "complete"
    assert len(history.active_path(cid)) == 26  # nothing was deleted from the history


def test_too_long_message_fails_the_reply_but_keeps_the_message(
    history: History, engine: EngineClient, scripted_model: Path
) -> None:
    engine.load(load_config(scripted_model, n_ctx=128))
    cid = history.create_conversation()
    _, done = run_to_end(ChatTurnJob.send(history, engine, cid, "word " * 400, GREEDY))
    assert done.outcome is Outcome.FAILED
    assert isinstance(done.error, ContextOverflowError)
    assert "too long" in done.message
    user, reply = history.active_path(cid)
    assert user.content == "word " * 400
    assert reply.status == "failed"
    assert reply.error is not None
    assert "too long" in reply.error


def test_cancel_marks_the_reply_stopped_with_its_text(
    history: History, engine: EngineClient, random_model: Path
) -> None:
    engine.load(load_config(random_model, n_ctx=2048))
    cid = history.create_conversation()
    received = []
    job = ChatTurnJob.send(history, engine, cid, "go", SamplingParams(max_tokens=1500))
    for event in job.run():
        if isinstance(event, TextPiece):
            received.append(event.text)
            if len(received) == 10:
                job.cancel()
    assert isinstance(event, Done)
    assert event.outcome is Outcome.CANCELLED
    assert "stopped" in event.message
    assert isinstance(event.result, TurnFinished)  # a stopped reply still has its figures
    reply = history.active_path(cid)[-1]
    assert (event.result.reply_message_id, event.result.status) == (reply.id, "stopped")
    assert reply.status == "stopped"
    assert reply.content == "".join(received)


def test_engine_crash_marks_the_reply_failed_and_keeps_the_partial_text(
    history: History, engine: EngineClient, random_model: Path
) -> None:
    engine.load(load_config(random_model, n_ctx=2048))
    cid = history.create_conversation()
    received = []
    job = ChatTurnJob.send(history, engine, cid, "go", SamplingParams(max_tokens=1500))
    for event in job.run():
        if isinstance(event, TextPiece):
            received.append(event.text)
            if len(received) == 5:
                assert engine.pid is not None
                os.kill(engine.pid, signal.SIGKILL)
    assert isinstance(event, Done)
    assert event.outcome is Outcome.FAILED
    assert isinstance(event.error, EngineCrashedError)
    reply = history.active_path(cid)[-1]
    assert reply.status == "failed"
    assert reply.content == "".join(received)
    assert reply.error is not None
    assert "stopped unexpectedly" in reply.error


def test_abandoning_the_stream_keeps_the_reply_as_stopped(
    history: History, engine: EngineClient, random_model: Path
) -> None:
    engine.load(load_config(random_model, n_ctx=2048))
    cid = history.create_conversation()
    turn = ChatTurnJob.send(history, engine, cid, "go", SamplingParams(max_tokens=1500)).run()
    pieces = [next(turn) for _ in range(4)]
    turn.close()
    reply = history.active_path(cid)[-1]
    assert reply.status == "stopped"
    assert reply.content == "".join(p.text for p in pieces if isinstance(p, TextPiece))
    again = run_to_end(ChatTurnJob.send(history, engine, cid, "more", SamplingParams(max_tokens=4)))
    assert isinstance(again[1].result, TurnFinished)


def test_continue_carries_on_an_interrupted_reply_in_the_same_message(
    history: History, engine: EngineClient, scripted_model: Path
) -> None:
    engine.load(load_config(scripted_model))
    cid = history.create_conversation()
    user = history.add_message(cid, "user", "Hi there")
    reply = history.add_message(
        cid, "assistant", "Hello,", parent_id=user, status="interrupted", model="x"
    )
    events, done = run_to_end(ChatTurnJob.resume(history, engine, cid, reply, GREEDY))
    # The scripted model's next-token table carries on from its own "Hello,".
    assert streamed(events) == " world!"
    finished = done.result
    assert isinstance(finished, TurnFinished)
    assert (finished.reply_message_id, finished.status) == (reply, "complete")
    continued = history.get_message(reply)
    assert (continued.content, continued.status) == ("Hello, world!", "complete")
    assert [m.id for m in history.children(user)] == [reply]  # no new branch
    # The prompt held the unfinished reply after the generation prompt.
    assert finished.stats.prompt_tokens > engine.count_tokens([ChatMessage("user", "Hi there")])


def test_continue_extends_a_stopped_reply_and_keeps_its_text(
    history: History, engine: EngineClient, random_model: Path
) -> None:
    engine.load(load_config(random_model, n_ctx=2048))
    cid = history.create_conversation()
    job = ChatTurnJob.send(history, engine, cid, "go", SamplingParams(max_tokens=1500, seed=3))
    for event in job.run():
        if isinstance(event, TextPiece):
            job.cancel()
    stopped = history.active_path(cid)[-1]
    assert stopped.status == "stopped"
    resume = ChatTurnJob.resume(history, engine, cid, stopped.id, SamplingParams(max_tokens=8))
    added = streamed(run_to_end(resume)[0])
    after = history.get_message(stopped.id)
    assert after.content == stopped.content + added
    assert len(added) > 0
    assert after.status == "complete"


def test_only_an_unfinished_reply_can_be_continued(
    history: History, engine: EngineClient, scripted_model: Path
) -> None:
    engine.load(load_config(scripted_model))
    cid = history.create_conversation()
    run_to_end(ChatTurnJob.send(history, engine, cid, "Hi", GREEDY))
    user, reply = history.active_path(cid)
    for message_id in (user.id, reply.id):
        _, done = run_to_end(ChatTurnJob.resume(history, engine, cid, message_id, GREEDY))
        assert isinstance(done.error, InvalidInputError)
    assert history.get_message(reply.id).content == "Hello, world!"


def test_no_model_fails_before_anything_is_saved(history: History, engine: EngineClient) -> None:
    cid = history.create_conversation()
    _, done = run_to_end(ChatTurnJob.send(history, engine, cid, "Hello?", GREEDY))
    assert done.outcome is Outcome.FAILED
    assert "No model is loaded" in done.message
    assert history.active_path(cid) == []


def test_a_stop_before_the_turn_begins_saves_nothing(
    history: History, engine: EngineClient, scripted_model: Path
) -> None:
    engine.load(load_config(scripted_model))
    cid = history.create_conversation()
    job = ChatTurnJob.send(history, engine, cid, "Never mind", GREEDY)
    job.cancel()
    _, done = run_to_end(job)
    assert done.outcome is Outcome.CANCELLED
    assert history.active_path(cid) == []
    # The engine's own stop flag was forgotten by the next job: it runs to the end.
    assert run_to_end(ChatTurnJob.send(history, engine, cid, "Hi", GREEDY))[1].outcome is (
        Outcome.COMPLETED
    )
