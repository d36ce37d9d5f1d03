"""ReplyWriter: the row appears at the first piece and is rewritten on an interval."""

from __future__ import annotations

import os

import pytest

from app.store import History, MessageStatus, ReplyWriter


class FakeClock:
    """Monotonic seconds that only move when a test says so."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def turn(history: History) -> tuple[int, int]:
    """A conversation with one user message: (conversation id, user message id)."""
    cid = history.create_conversation()
    return cid, history.add_message(cid, "user", "Tell me a story")


def stored_content(history: History, writer: ReplyWriter) -> str:
    assert writer.message_id is not None
    return history.get_message(writer.message_id).content


def test_row_is_created_at_the_first_piece(
    history: History, turn: tuple[int, int], clock: FakeClock
) -> None:
    cid, user = turn
    writer = ReplyWriter(history, cid, user, model="tiny", clock=clock)
    assert writer.message_id is None
    assert history.children(user) == []

    writer.append("")  # an empty piece is not a reply yet
    assert writer.message_id is None

    writer.append("Once")
    message = history.get_message(writer.message_id or -1)
    assert message.content == "Once"
    assert message.status is MessageStatus.STREAMING
    assert message.parent_id == user
    assert message.model == "tiny"
    assert history.get_conversation(cid).active_leaf_id == message.id
    pid = history.db.execute("SELECT writer_pid FROM messages WHERE id = ?", [message.id])
    assert pid.fetchone()[0] == os.getpid()


def test_text_is_flushed_once_per_interval(
    history: History, turn: tuple[int, int], clock: FakeClock
) -> None:
    writer = ReplyWriter(history, *turn, flush_interval=0.5, clock=clock)
    writer.append("Once")
    clock.advance(0.2)
    writer.append(" upon")
    assert stored_content(history, writer) == "Once"
    assert writer.text == "Once upon"

    clock.advance(0.3)
    writer.append(" a")
    assert stored_content(history, writer) == "Once upon a"

    clock.advance(0.1)
    writer.append(" time")
    assert stored_content(history, writer) == "Once upon a"


@pytest.mark.parametrize("status", ["complete", "stopped", "failed"])
def test_finish_writes_everything_and_the_status(
    history: History, turn: tuple[int, int], clock: FakeClock, status: str
) -> None:
    writer = ReplyWriter(history, *turn, clock=clock)
    writer.append("The")
    writer.append(" end")
    error = "engine crashed" if status == "failed" else None
    mid = writer.finish(status, stats={"tokens": 2}, error=error)

    assert mid == writer.message_id
    message = history.get_message(mid or -1)
    assert message.content == "The end"
    assert message.status == status
    assert message.stats == {"tokens": 2}
    assert message.error == error


@pytest.mark.parametrize("status", ["stopped", "failed"])
def test_failure_without_pieces_is_still_recorded(
    history: History, turn: tuple[int, int], status: str
) -> None:
    cid, user = turn
    writer = ReplyWriter(history, cid, user)
    mid = writer.finish(status, error="no model loaded" if status == "failed" else None)

    assert mid is not None
    message = history.get_message(mid)
    assert message.content == ""
    assert message.status == status
    assert message.parent_id == user


def test_complete_without_pieces_writes_nothing(history: History, turn: tuple[int, int]) -> None:
    cid, user = turn
    assert ReplyWriter(history, cid, user).finish("complete") is None
    assert history.children(user) == []


def test_a_finished_writer_refuses_more(history: History, turn: tuple[int, int]) -> None:
    writer = ReplyWriter(history, *turn)
    writer.append("x")
    writer.finish("complete")
    with pytest.raises(RuntimeError):
        writer.append("y")
    with pytest.raises(RuntimeError):
        writer.finish("complete")


def test_streaming_is_not_a_final_status(history: History, turn: tuple[int, int]) -> None:
    with pytest.raises(ValueError, match="final"):
        ReplyWriter(history, *turn).finish("streaming")
