"""The conversation list model reads a page at a time: more on demand, and a loaded row
(a selection) never drops out while it is still in the list."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QPersistentModelIndex
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from app.store import History
from app.ui import conversation_model
from app.ui.conversation_model import ConversationListModel, ConversationRole
from tests.ui.test_conversation_sidebar import (
    TickingClock,
    conversation,
    make_sidebar,
)
from tests.ui.test_conversation_sidebar import _end_reads as _end_reads  # an autouse fixture


@pytest.fixture
def history(tmp_path: Path) -> Iterator[History]:
    with History.open(tmp_path / "hearth.db", now=TickingClock()) as opened:
        yield opened


def ids(model: ConversationListModel) -> list[int]:
    return [model.index(row, 0).data(ConversationRole.ID) for row in range(model.rowCount())]


@pytest.fixture
def seven(history: History) -> list[int]:
    """Seven conversations, newest first."""
    return [conversation(history, f"C{n}") for n in range(7)][::-1]


def test_a_page_is_read_and_more_when_asked(history: History, seven: list[int]) -> None:
    model = ConversationListModel(history, page_size=3)
    assert ids(model) == seven[:3]
    assert model.canFetchMore()
    model.fetchMore()
    assert ids(model) == seven[:6]
    model.fetchMore()
    assert ids(model) == seven
    assert not model.canFetchMore()


def test_pinned_conversations_come_first_in_the_first_page(
    history: History, seven: list[int]
) -> None:
    history.set_pinned(seven[-1], True)
    model = ConversationListModel(history, page_size=3)
    assert ids(model) == [seven[-1], *seven[:2]]


def test_refresh_keeps_every_page_read(history: History, seven: list[int]) -> None:
    model = ConversationListModel(history, page_size=3)
    model.fetchMore()
    added = conversation(history, "Added")
    model.refresh()
    assert ids(model) == [added, *seven[:6]]


def test_fetching_pages_keeps_the_model_consistent(
    qtmodeltester: ModelTester, history: History, seven: list[int]
) -> None:
    model = ConversationListModel(history, page_size=3)
    qtmodeltester.check(model)  # fetches every page, checking the signals of each
    assert ids(model) == seven


def test_a_loaded_row_that_moves_down_stays_loaded(history: History, seven: list[int]) -> None:
    oldest = seven[-1]
    history.set_pinned(oldest, True)
    model = ConversationListModel(history, page_size=3)
    selected = QPersistentModelIndex(model.index_of(oldest))
    history.set_pinned(oldest, False)  # back to the end of the list, past the first page
    model.refresh()
    assert selected.isValid()
    assert selected.data(ConversationRole.ID) == oldest
    assert ids(model) == seven  # read until it was in


def test_a_deleted_row_leaves_and_the_page_fills_up(history: History, seven: list[int]) -> None:
    model = ConversationListModel(history, page_size=3)
    history.delete(seven[0])
    model.refresh()
    assert ids(model) == seven[1:4]
    assert model.canFetchMore()


def test_selecting_a_conversation_not_read_yet_reads_up_to_it(
    qtbot: QtBot, history: History, monkeypatch: pytest.MonkeyPatch
) -> None:
    oldest, *_ = [conversation(history, f"C{n}") for n in range(80)]
    monkeypatch.setattr(conversation_model, "PAGE_SIZE", 2)
    sidebar = make_sidebar(qtbot, history)  # the view reads pages until it is full
    qtbot.wait(50)
    assert sidebar.conversation_model.index_of(oldest).row() == -1
    assert sidebar.select_conversation(oldest)
    assert sidebar.current_conversation_id() == oldest


def test_a_conversation_in_the_trash_is_not_read_into_the_list(
    history: History, seven: list[int]
) -> None:
    model = ConversationListModel(history, page_size=2)
    history.delete(seven[-1])
    model.refresh(including=seven[-1])
    assert seven[-1] not in ids(model)
    assert len(ids(model)) == 2
