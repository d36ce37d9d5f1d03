"""Search as you type on its own: waits for a pause, shows hits or why there are none."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from app.store import History
from app.ui.background_reads import BackgroundReads
from app.ui.sidebar_search import SEARCH_PLACEHOLDER, ConversationSearch


@pytest.fixture
def history(tmp_path: Path) -> Iterator[History]:
    with History.open(tmp_path / "hearth.db") as opened:
        cid = opened.create_conversation(title="Sea animals")
        opened.add_message(cid, "user", "Otters hold hands while they sleep")
        yield opened


@pytest.fixture
def reads(tmp_path: Path, history: History) -> Iterator[BackgroundReads]:
    """Searches of `history` run on their reading thread, as in the window."""
    background = BackgroundReads(tmp_path / "hearth.db")
    yield background
    background.shutdown()


def search_in(qtbot: QtBot, reads: BackgroundReads, delay_ms: int = 10) -> ConversationSearch:
    search = ConversationSearch(reads, delay_ms)
    search.setParent(search.page)  # lives as long as its widgets, as it does in the sidebar
    qtbot.addWidget(search.field)
    qtbot.addWidget(search.page)
    search.field.show()
    search.page.show()
    return search


def test_typing_searches_after_a_pause_and_clearing_says_so(
    qtbot: QtBot, reads: BackgroundReads
) -> None:
    search = search_in(qtbot, reads)
    assert search.field.placeholderText() == SEARCH_PLACEHOLDER
    with qtbot.waitSignal(search.results_shown):
        qtbot.keyClicks(search.field, "ott")
    assert search.results_model.rowCount() == 1
    assert search.results_view.isVisible()
    assert not search.no_results_label.isVisible()
    with qtbot.waitSignal(search.search_cleared):
        search.field.clear()
    assert search.results_model.rowCount() == 0


def test_no_hits_are_explained(qtbot: QtBot, reads: BackgroundReads) -> None:
    search = search_in(qtbot, reads)
    search.field.setText("zebra")
    with qtbot.waitSignal(search.results_shown):
        search.run()
    assert search.no_results_label.isVisible()
    assert not search.results_view.isVisible()
    assert "zebra" in search.no_results_label.text()


def test_esc_clears_and_down_asks_for_the_list(qtbot: QtBot, reads: BackgroundReads) -> None:
    search = search_in(qtbot, reads, delay_ms=60_000)  # typing alone never searches here
    search.field.setText("otters")
    with qtbot.waitSignal(search.list_focus_requested):
        qtbot.keyClick(search.field, Qt.Key.Key_Down)
    with qtbot.waitSignal(search.search_cleared):
        qtbot.keyClick(search.field, Qt.Key.Key_Escape)
    assert search.field.text() == ""
    assert search.results_model.rowCount() == 0


def test_activating_a_hit_reports_conversation_and_message(
    qtbot: QtBot, history: History, reads: BackgroundReads
) -> None:
    search = search_in(qtbot, reads)
    search.field.setText("hands")
    with qtbot.waitSignal(search.results_shown):
        search.run()
    (conversation,) = history.list_conversations()
    message_id = history.active_path(conversation.id)[-1].id
    with qtbot.waitSignal(search.hit_activated) as activated:
        search.results_view.activated.emit(search.results_model.index(0, 0))
    assert activated.args == [conversation.id, message_id]
