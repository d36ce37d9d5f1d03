"""Edit and regenerate make branches; nothing is overwritten; switching branches works."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from app.engine.client import EngineClient
from app.engine.protocol import SamplingParams
from app.errors import InvalidInputError
from app.store import History
from app.tasks.branches import branch_positions, switch_branch
from app.tasks.chat_turn import ChatTurnJob, TurnFinished
from app.tasks.job import Job, Outcome
from tests.conftest import load_config
from tests.support.jobs import run_to_end

GREEDY = SamplingParams(temperature=0.0, max_tokens=16, seed=1)


@pytest.fixture
def chat(tmp_path: Path, engine: EngineClient, scripted_model: Path) -> Iterator[History]:
    engine.load(load_config(scripted_model))
    with History.open(tmp_path / "h.db") as history:
        yield history


def finish(job: Job) -> TurnFinished:
    _, done = run_to_end(job)
    assert isinstance(done.result, TurnFinished)
    return done.result


def test_regenerate_adds_a_sibling_reply(chat: History, engine: EngineClient) -> None:
    cid = chat.create_conversation()
    first = finish(ChatTurnJob.send(chat, engine, cid, "Hi", GREEDY))
    second = finish(ChatTurnJob.regenerate(chat, engine, cid, first.user_message_id, GREEDY))
    assert second.reply_message_id != first.reply_message_id
    assert [m.id for m in chat.children(first.user_message_id)] == [
        first.reply_message_id,
        second.reply_message_id,
    ]
    path = chat.active_path(cid)
    assert [m.id for m in path] == [first.user_message_id, second.reply_message_id]
    assert second.reply_message_id is not None
    assert branch_positions(chat, path) == {second.reply_message_id: (2, 2)}


def test_editing_sends_a_sibling_message_and_keeps_the_old_one(
    chat: History, engine: EngineClient
) -> None:
    cid = chat.create_conversation()
    original = finish(ChatTurnJob.send(chat, engine, cid, "Hi", GREEDY))
    edit = ChatTurnJob.send(chat, engine, cid, "Hello!", GREEDY, editing=original.user_message_id)
    edited = finish(edit)
    roots = chat.roots(cid)
    assert [m.content for m in roots] == ["Hi", "Hello!"]
    assert [m.content for m in chat.active_path(cid)] == ["Hello!", "Hello, world!"]
    assert branch_positions(chat, chat.active_path(cid)) == {edited.user_message_id: (2, 2)}
    # Switching back shows the original exchange, untouched.
    switch_branch(chat, edited.user_message_id, -1)
    path = chat.active_path(cid)
    assert [m.id for m in path] == [original.user_message_id, original.reply_message_id]
    assert branch_positions(chat, path) == {original.user_message_id: (1, 2)}


def test_switching_goes_to_the_newest_path_under_the_sibling(
    chat: History, engine: EngineClient
) -> None:
    cid = chat.create_conversation()
    first = finish(ChatTurnJob.send(chat, engine, cid, "One", GREEDY))
    finish(ChatTurnJob.send(chat, engine, cid, "Two", GREEDY))  # deepens the first branch
    edit = ChatTurnJob.send(chat, engine, cid, "Uno", GREEDY, editing=first.user_message_id)
    other = finish(edit)
    switch_branch(chat, other.user_message_id, 1)  # wraps around to the first root
    assert [m.content for m in chat.active_path(cid)] == [
        "One",
        "Hello, world!",
        "Two",
        "Hello, world!",
    ]
    assert first.user_message_id == chat.active_path(cid)[0].id


def test_regenerate_refuses_a_reply_id(chat: History, engine: EngineClient) -> None:
    cid = chat.create_conversation()
    first = finish(ChatTurnJob.send(chat, engine, cid, "Hi", GREEDY))
    assert first.reply_message_id is not None
    _, done = run_to_end(ChatTurnJob.regenerate(chat, engine, cid, first.reply_message_id, GREEDY))
    assert done.outcome is Outcome.FAILED
    assert isinstance(done.error, InvalidInputError)


def test_editing_refuses_a_reply_id(chat: History, engine: EngineClient) -> None:
    cid = chat.create_conversation()
    first = finish(ChatTurnJob.send(chat, engine, cid, "Hi", GREEDY))
    assert first.reply_message_id is not None
    edit = ChatTurnJob.send(chat, engine, cid, "x", GREEDY, editing=first.reply_message_id)
    _, done = run_to_end(edit)
    assert isinstance(done.error, InvalidInputError)
    assert len(chat.all_messages(cid)) == 2  # nothing was added
