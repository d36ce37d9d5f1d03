"""The undo bar: offered for a conversation, gone after a while, Undo reports which one."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from app.ui.undo_bar import UNDO_TEXT, UndoBar


def bar_with(qtbot: QtBot, timeout_ms: int = 8000) -> UndoBar:
    bar = UndoBar(timeout_ms)
    qtbot.addWidget(bar)
    return bar


def test_undo_reports_the_last_offer_once_and_hides(qtbot: QtBot) -> None:
    bar = bar_with(qtbot)
    assert not bar.isVisible()
    bar.offer(3)
    bar.offer(7)  # a second deletion replaces the first offer
    assert bar.isVisible()
    assert bar.message_label.text() == UNDO_TEXT
    with qtbot.waitSignal(bar.undo_requested) as requested:
        bar.undo_button.click()
    assert requested.args == [7]
    assert not bar.isVisible()
    assert bar.pending_id is None


def test_the_offer_expires(qtbot: QtBot) -> None:
    bar = bar_with(qtbot, timeout_ms=30)
    bar.offer(3)
    qtbot.waitUntil(lambda: not bar.isVisible())
    assert bar.pending_id is None


def test_an_offer_is_withdrawn_only_for_its_own_conversation(qtbot: QtBot) -> None:
    bar = bar_with(qtbot)
    bar.offer(3)
    bar.dismiss_for(4)
    assert bar.isVisible()
    bar.dismiss_for(3)
    assert not bar.isVisible()
    with qtbot.assertNotEmitted(bar.undo_requested):
        bar.undo_button.click()
