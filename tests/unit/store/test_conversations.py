"""Conversations: creating, listing, renaming, trash."""

from __future__ import annotations

import pytest

from app.errors import InvalidInputError, NotFoundError
from app.store import Conversation, History


def titles(conversations: list[Conversation]) -> list[str]:
    return [c.title for c in conversations]


def test_new_conversation_has_its_settings(history: History) -> None:
    cid = history.create_conversation(
        title="Plans", model="qwen", system_prompt="Be brief.", sampling={"temperature": 0.2}
    )
    conversation = history.get_conversation(cid)
    assert conversation.title == "Plans"
    assert conversation.model == "qwen"
    assert conversation.system_prompt == "Be brief."
    assert conversation.sampling == {"temperature": 0.2}
    assert conversation.pinned is False
    assert conversation.deleted_at is None
    assert conversation.active_leaf_id is None
    assert conversation.created_at.endswith("Z")


def test_missing_conversation_is_not_found(history: History) -> None:
    with pytest.raises(NotFoundError, match=r"There is no conversation 99\."):
        history.get_conversation(99)
    with pytest.raises(NotFoundError):
        history.rename(99, "x")


def test_list_is_newest_activity_first(history: History) -> None:
    first = history.create_conversation(title="first")
    history.create_conversation(title="second")
    history.create_conversation(title="third")
    history.add_message(first, "user", "bump")
    assert titles(history.list_conversations()) == ["first", "third", "second"]


def test_rename_and_pin_do_not_reorder(history: History) -> None:
    first = history.create_conversation(title="first")
    history.create_conversation(title="second")
    history.rename(first, "renamed")
    history.set_pinned(first, True)
    assert titles(history.list_conversations()) == ["second", "renamed"]
    assert history.get_conversation(first).pinned is True
    history.set_pinned(first, False)
    assert history.get_conversation(first).pinned is False


def test_trash_and_restore(history: History) -> None:
    keep = history.create_conversation(title="keep")
    gone = history.create_conversation(title="gone")
    also_gone = history.create_conversation(title="also gone")
    history.delete(gone)
    history.delete(also_gone)

    assert titles(history.list_conversations()) == ["keep"]
    assert titles(history.list_conversations(trash=True)) == ["also gone", "gone"]
    assert history.get_conversation(gone).deleted_at is not None

    history.restore(gone)
    assert titles(history.list_conversations()) == ["gone", "keep"]
    assert titles(history.list_conversations(trash=True)) == ["also gone"]
    assert history.get_conversation(keep).deleted_at is None


def test_update_conversation_changes_only_given_fields(history: History) -> None:
    cid = history.create_conversation(model="a", system_prompt="p", sampling={"top_p": 0.9})
    history.update_conversation(cid, model=None)
    conversation = history.get_conversation(cid)
    assert conversation.model is None
    assert conversation.system_prompt == "p"
    assert conversation.sampling == {"top_p": 0.9}

    history.update_conversation(cid, sampling={"temperature": 1.0}, system_prompt="q")
    conversation = history.get_conversation(cid)
    assert conversation.sampling == {"temperature": 1.0}
    assert conversation.system_prompt == "q"


def test_sampling_must_be_json_object(history: History) -> None:
    with pytest.raises(InvalidInputError):
        history.create_conversation(sampling={"bad": object()})


def test_purge_removes_a_trashed_conversation_with_its_messages(history: History) -> None:
    cid = history.create_conversation()
    mid = history.add_message(cid, "user", "hello")
    with pytest.raises(InvalidInputError):
        history.purge(cid)  # not in the trash yet
    history.delete(cid)
    history.purge(cid)
    with pytest.raises(NotFoundError):
        history.get_conversation(cid)
    with pytest.raises(NotFoundError):
        history.get_message(mid)
