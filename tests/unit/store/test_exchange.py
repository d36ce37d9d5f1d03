"""Export to Markdown and JSON; JSON import recreates the same tree."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from app.errors import InvalidInputError
from app.store import History, MessageStatus, export_json, export_markdown, import_json

Shape = tuple[str, str, str, tuple[Any, ...]]


def shape(history: History, mid: int) -> Shape:
    """A message and everything under it, without ids (ids change on import)."""
    message = history.get_message(mid)
    kids = tuple(shape(history, kid.id) for kid in history.children(mid))
    return (message.role.value, message.content, message.status.value, kids)


def tree_of(history: History, cid: int) -> tuple[Shape, ...]:
    return tuple(shape(history, root.id) for root in history.roots(cid))


def active_contents(history: History, cid: int) -> list[str]:
    return [m.content for m in history.active_path(cid)]


@pytest.fixture
def branched(history: History) -> int:
    """Two roots (an edited first question), a regenerated reply, an interrupted one."""
    cid = history.create_conversation(model="tiny", sampling={"temperature": 0.3})
    q1 = history.add_message(cid, "user", "What is tea?")
    history.add_message(cid, "assistant", "A drink.", stats={"tokens": 2})
    history.add_message(cid, "assistant", "Leaves in hot water.", parent_id=q1)
    history.add_message(cid, "user", "And coffee?")
    history.add_message(cid, "assistant", "Beans", status="interrupted")
    history.add_message(cid, "user", "What is green tea?", parent_id=None)
    history.add_message(cid, "assistant", "Unfinished", status="failed", error="crash")
    history.set_active_leaf(cid, history.latest_leaf(q1))
    history.set_pinned(cid, True)
    return cid


def test_markdown_shows_the_active_path(history: History, branched: int) -> None:
    text = export_markdown(history, branched)
    assert text.startswith("# What is tea?\n")
    assert "**You**\n\nWhat is tea?" in text
    assert "**Assistant**\n\nLeaves in hot water." in text
    assert "**You**\n\nAnd coffee?" in text
    assert "_(reply interrupted)_" in text
    assert "A drink." not in text
    assert "green tea" not in text
    assert "2 other branches" in text


def test_markdown_of_a_single_branch_has_no_branch_note(history: History) -> None:
    cid = history.create_conversation(title="Short")
    history.add_message(cid, "system", "Be kind.")
    history.add_message(cid, "user", "Hi")
    text = export_markdown(history, cid)
    assert text.startswith("# Short\n")
    assert "**System**\n\nBe kind." in text
    assert "branch" not in text


def test_json_export_has_every_branch(history: History, branched: int) -> None:
    data = export_json(history, branched)
    assert data["format"] == "hearth-conversation"
    assert data["version"] == 2
    assert data["documents"] == []
    assert data["pinned"] is True
    assert data["sampling"] == {"temperature": 0.3}
    assert len(data["messages"]) == 7
    seen: set[int] = set()
    for message in data["messages"]:
        assert message["parent_id"] is None or message["parent_id"] in seen
        seen.add(message["id"])
    json.dumps(data)  # plain JSON data all the way down


def test_round_trip_recreates_the_tree(history: History, branched: int) -> None:
    data = json.loads(json.dumps(export_json(history, branched)))
    new = import_json(history, data)

    assert new != branched
    assert tree_of(history, new) == tree_of(history, branched)
    assert active_contents(history, new) == active_contents(history, branched)
    old, copied = history.get_conversation(branched), history.get_conversation(new)
    assert (copied.title, copied.model, copied.sampling, copied.pinned) == (
        old.title,
        old.model,
        old.sampling,
        old.pinned,
    )
    assert (copied.created_at, copied.updated_at) == (old.created_at, old.updated_at)
    old_times = [(m["created_at"], m["stats"], m["error"]) for m in data["messages"]]
    new_times = [
        (m["created_at"], m["stats"], m["error"]) for m in export_json(history, new)["messages"]
    ]
    assert new_times == old_times


def test_streaming_replies_arrive_interrupted(history: History) -> None:
    cid = history.create_conversation()
    history.add_message(cid, "user", "Hi")
    history.add_message(cid, "assistant", "Hel", status="streaming")
    new = import_json(history, export_json(history, cid))
    assert history.active_path(new)[-1].status is MessageStatus.INTERRUPTED


def _valid() -> dict[str, Any]:
    return {
        "format": "hearth-conversation",
        "version": 1,
        "title": "T",
        "active_leaf_id": 2,
        "messages": [
            {"id": 1, "parent_id": None, "role": "user", "content": "a", "status": "complete"},
            {"id": 2, "parent_id": 1, "role": "assistant", "content": "b", "status": "complete"},
        ],
    }


def _broken(change: str) -> Any:
    data = _valid()
    messages = data["messages"]
    if change == "not an object":
        return [data]
    if change == "wrong format":
        data["format"] = "something-else"
    elif change == "wrong version":
        data["version"] = 3
    elif change == "boolean version":
        data["version"] = True
    elif change == "no messages":
        del data["messages"]
    elif change == "message without role":
        del messages[0]["role"]
    elif change == "unknown role":
        messages[0]["role"] = "robot"
    elif change == "text id":
        messages[0]["id"] = "1"
    elif change == "dangling parent":
        messages[1]["parent_id"] = 99
    elif change == "cycle":
        messages[0]["parent_id"] = 2
    elif change == "duplicate ids":
        messages[1]["id"] = 1
    elif change == "missing active leaf":
        data["active_leaf_id"] = 42
    elif change == "message not an object":
        messages.append("hello")
    return data


@pytest.mark.parametrize(
    "change",
    [
        "not an object",
        "wrong format",
        "wrong version",
        "boolean version",
        "no messages",
        "message without role",
        "unknown role",
        "text id",
        "dangling parent",
        "cycle",
        "duplicate ids",
        "missing active leaf",
        "message not an object",
    ],
)
def test_import_rejects_bad_files(history: History, change: str) -> None:
    with pytest.raises(InvalidInputError, match="not a usable Hearth conversation file"):
        import_json(history, _broken(change))
    assert history.list_conversations() == []


def test_minimal_valid_file_imports(history: History) -> None:
    cid = import_json(history, copy.deepcopy(_valid()))
    assert active_contents(history, cid) == ["a", "b"]
    assert history.get_conversation(cid).title == "T"
