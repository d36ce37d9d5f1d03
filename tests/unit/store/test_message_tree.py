"""Messages as a tree: edits and regenerations are branches, nothing is overwritten."""

from __future__ import annotations

import pytest

from app.errors import InvalidInputError, NotFoundError
from app.store import History, Message, MessageStatus, Role


def contents(messages: list[Message]) -> list[str]:
    return [m.content for m in messages]


def test_messages_chain_under_the_active_leaf(history: History) -> None:
    cid = history.create_conversation()
    user = history.add_message(cid, "user", "Hi")
    reply = history.add_message(cid, "assistant", "Hello!", model="m", stats={"tokens": 3})

    message = history.get_message(reply)
    assert message.parent_id == user
    assert message.role is Role.ASSISTANT
    assert message.status is MessageStatus.COMPLETE
    assert message.model == "m"
    assert message.stats == {"tokens": 3}
    assert history.get_conversation(cid).active_leaf_id == reply
    assert contents(history.active_path(cid)) == ["Hi", "Hello!"]


def test_regenerate_adds_a_sibling_reply(history: History) -> None:
    cid = history.create_conversation()
    user = history.add_message(cid, "user", "Question")
    first = history.add_message(cid, "assistant", "Answer one")
    second = history.add_message(cid, "assistant", "Answer two", parent_id=user)

    assert [m.id for m in history.children(user)] == [first, second]
    assert contents(history.active_path(cid)) == ["Question", "Answer two"]
    assert history.get_message(first).content == "Answer one"

    history.set_active_leaf(cid, first)
    assert contents(history.active_path(cid)) == ["Question", "Answer one"]


def test_editing_a_user_message_branches_at_its_parent(history: History) -> None:
    cid = history.create_conversation()
    q1 = history.add_message(cid, "user", "First question")
    history.add_message(cid, "assistant", "First answer")
    q2 = history.add_message(cid, "user", "Second question")
    a2 = history.add_message(cid, "assistant", "Second answer")

    parent = history.get_message(q2).parent_id
    assert parent is not None
    edited = history.add_message(cid, "user", "Second question, edited", parent_id=parent)
    history.add_message(cid, "assistant", "Answer to the edit")

    assert [m.id for m in history.children(parent)] == [q2, edited]
    assert contents(history.active_path(cid)) == [
        "First question",
        "First answer",
        "Second question, edited",
        "Answer to the edit",
    ]
    assert contents(history.path_to(a2)) == [
        "First question",
        "First answer",
        "Second question",
        "Second answer",
    ]
    assert history.path_to(a2)[0].id == q1
    assert history.branch_count(cid) == 2


def test_editing_the_first_message_makes_a_second_root(history: History) -> None:
    cid = history.create_conversation()
    first = history.add_message(cid, "user", "Original")
    history.add_message(cid, "assistant", "Reply")
    edited = history.add_message(cid, "user", "Edited", parent_id=None)

    assert [m.id for m in history.roots(cid)] == [first, edited]
    assert contents(history.active_path(cid)) == ["Edited"]
    assert history.latest_leaf(first) == history.children(first)[0].id


def test_latest_leaf_follows_the_newest_branch(history: History) -> None:
    cid = history.create_conversation()
    root = history.add_message(cid, "user", "root")
    history.add_message(cid, "assistant", "old")
    newer = history.add_message(cid, "assistant", "new", parent_id=root)
    deeper = history.add_message(cid, "user", "follow-up")
    assert history.latest_leaf(root) == deeper
    assert history.latest_leaf(newer) == deeper


def test_empty_conversation_has_no_path(history: History) -> None:
    cid = history.create_conversation()
    assert history.active_path(cid) == []
    assert history.roots(cid) == []
    assert history.branch_count(cid) == 0


def test_parent_must_be_in_the_same_conversation(history: History) -> None:
    one = history.create_conversation()
    other = history.create_conversation()
    foreign = history.add_message(other, "user", "elsewhere")
    with pytest.raises(InvalidInputError):
        history.add_message(one, "user", "hi", parent_id=foreign)
    with pytest.raises(InvalidInputError):
        history.add_message(one, "user", "hi", parent_id=12345)
    with pytest.raises(InvalidInputError):
        history.set_active_leaf(one, foreign)
    assert history.roots(one) == []


def test_unknown_role_or_status_is_refused(history: History) -> None:
    cid = history.create_conversation()
    with pytest.raises(InvalidInputError, match="role"):
        history.add_message(cid, "robot", "hi")
    with pytest.raises(InvalidInputError, match="status"):
        history.add_message(cid, "user", "hi", status="done")


def test_update_message_changes_only_given_fields(history: History) -> None:
    cid = history.create_conversation()
    mid = history.add_message(cid, "assistant", "partial", status="streaming", model="m")
    before = history.get_message(mid)

    history.update_message(mid, content="partial and more")
    middle = history.get_message(mid)
    assert middle.content == "partial and more"
    assert middle.status is MessageStatus.STREAMING
    assert middle.updated_at > before.updated_at

    history.update_message(mid, status="failed", error="out of memory", stats={"n": 1})
    after = history.get_message(mid)
    assert (after.content, after.status, after.error) == (
        "partial and more",
        MessageStatus.FAILED,
        "out of memory",
    )
    assert after.stats == {"n": 1}
    assert after.created_at == before.created_at


def test_missing_message_is_not_found(history: History) -> None:
    with pytest.raises(NotFoundError, match=r"There is no message 7\."):
        history.get_message(7)
    with pytest.raises(NotFoundError):
        history.update_message(7, content="x")
    with pytest.raises(NotFoundError):
        history.path_to(7)


def test_first_user_message_names_the_conversation(history: History) -> None:
    cid = history.create_conversation()
    history.add_message(cid, "system", "You are helpful.")
    assert history.get_conversation(cid).title == ""
    history.add_message(cid, "user", "\n  Plan a trip to Lisbon  \nwith details")
    assert history.get_conversation(cid).title == "Plan a trip to Lisbon"
    history.add_message(cid, "user", "Something else")
    assert history.get_conversation(cid).title == "Plan a trip to Lisbon"


def test_long_first_line_is_cut_with_an_ellipsis(history: History) -> None:
    cid = history.create_conversation()
    history.add_message(cid, "user", "word " * 40)
    title = history.get_conversation(cid).title
    assert len(title) <= 60
    assert title.endswith("…")
    assert title.startswith("word word")


def test_given_title_is_kept(history: History) -> None:
    cid = history.create_conversation(title="Mine")
    history.add_message(cid, "user", "Anything")
    assert history.get_conversation(cid).title == "Mine"


def test_adding_a_message_moves_the_conversation_up(history: History) -> None:
    cid = history.create_conversation()
    before = history.get_conversation(cid).updated_at
    history.add_message(cid, "user", "hi")
    assert history.get_conversation(cid).updated_at > before
