"""Conversation views: typed, read in one go, from any thread with its own connection."""

from __future__ import annotations

import threading
from pathlib import Path

from app.store import History, MessageStatus, Role
from app.tasks.conversation_reader import ConversationReader
from app.tasks.conversation_view import BranchPosition, MessageView, conversation_view


def branched(history: History) -> tuple[int, list[int]]:
    """Hi -> (Hello | Hey), the second reply stopped part-way and active."""
    cid = history.create_conversation(title="Greetings", model="tiny")
    user = history.add_message(cid, "user", "Hi")
    first = history.add_message(cid, "assistant", "Hello", parent_id=user)
    second = history.add_message(
        cid,
        "assistant",
        "Hey th",
        parent_id=user,
        status="stopped",
        model="tiny",
        stats={"tokens_per_s": 12.5},
    )
    return cid, [user, first, second]


def test_a_view_holds_the_shown_path_with_branches_and_what_can_be_continued(
    tmp_path: Path,
) -> None:
    with History.open(tmp_path / "h.db") as history:
        cid, (user, first, second) = branched(history)
        view = conversation_view(history, cid)
        older = conversation_view(history, cid, last_message_id=first)
        written = {m: history.get_message(m).created_at for m in (user, second)}
    assert (view.id, view.title, view.model) == (cid, "Greetings", "tiny")
    assert view.messages == (
        MessageView(user, cid, Role.USER, "Hi", MessageStatus.COMPLETE, created_at=written[user]),
        MessageView(
            second,
            cid,
            Role.ASSISTANT,
            "Hey th",
            MessageStatus.STOPPED,
            branch=BranchPosition(2, 2),
            continuable=True,
            created_at=written[second],
            model="tiny",
            tokens_per_s=12.5,
        ),
    )
    assert [m.id for m in older.messages] == [user, first]
    assert older.messages[1].branch == BranchPosition(1, 2)
    assert not older.messages[1].continuable


def test_a_pending_message_has_no_id_until_it_is_saved() -> None:
    pending = MessageView.pending(7, "Is anyone there?")
    assert (pending.id, pending.conversation_id, pending.role, pending.content) == (
        None,
        7,
        Role.USER,
        "Is anyone there?",
    )


def test_the_reader_uses_a_connection_of_the_thread_that_reads(tmp_path: Path) -> None:
    database = tmp_path / "h.db"
    with History.open(database) as history:
        cid, (_, first, _) = branched(history)
    reader = ConversationReader(database)
    found: dict[str, object] = {}

    def read() -> None:
        found["view"] = reader.view(cid)
        found["hits"] = reader.search("hel")  # as you type: the start of "Hello"
        reader.close()

    worker = threading.Thread(target=read)
    worker.start()
    worker.join()
    view = found["view"]
    assert getattr(view, "title", None) == "Greetings"
    hits = found["hits"]
    assert isinstance(hits, list)
    assert [hit.message_id for hit in hits] == [first]  # every branch is searched


def test_the_reader_switches_branches_to_the_newest_path_under_the_sibling(
    tmp_path: Path,
) -> None:
    with History.open(tmp_path / "h.db") as history:
        cid, (user, first, second) = branched(history)
        deeper = history.add_message(cid, "user", "Go on", parent_id=first)
        history.set_active_leaf(cid, second)
    reader = ConversationReader(tmp_path / "h.db")
    assert reader.switch_branch(second, -1) == deeper  # lands on the newest path below
    assert [m.id for m in reader.view(cid).messages] == [user, first, deeper]
    reader.close()
