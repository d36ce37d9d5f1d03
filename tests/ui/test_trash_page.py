"""The trash page on its own: Restore, Delete forever (asked first) and refusals reported."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from app.store import History
from app.ui.trash_page import TrashPage


@pytest.fixture
def history(tmp_path: Path) -> Iterator[History]:
    with History.open(tmp_path / "hearth.db") as opened:
        yield opened


def trashed(history: History, title: str) -> int:
    cid = history.create_conversation(title=title)
    history.delete(cid)
    return cid


def page_with(qtbot: QtBot, history: History) -> TrashPage:
    page = TrashPage(history)
    qtbot.addWidget(page)
    page.show()
    qtbot.waitExposed(page)
    return page


def test_an_empty_trash_says_so_and_offers_nothing(qtbot: QtBot, history: History) -> None:
    page = page_with(qtbot, history)
    assert page.empty_label.isVisible()
    assert not page.view.isVisible()
    assert not page.restore_button.isEnabled()
    trashed(history, "Later")
    page.refresh()
    assert not page.empty_label.isVisible()
    assert page.view.isVisible()
    assert not page.restore_button.isEnabled()  # nothing chosen yet
    page.view.setCurrentIndex(page.model.index(0, 0))
    assert page.restore_button.isEnabled()
    assert page.purge_action.isEnabled()


def test_restore_brings_the_chosen_conversation_back(qtbot: QtBot, history: History) -> None:
    cid = trashed(history, "Back")
    page = page_with(qtbot, history)
    page.view.setCurrentIndex(page.model.index(0, 0))
    with qtbot.waitSignal(page.conversation_restored) as restored:
        page.restore_button.click()
    assert restored.args == [cid]
    assert history.get_conversation(cid).deleted_at is None


def test_delete_forever_happens_only_when_agreed(
    qtbot: QtBot, history: History, monkeypatch: pytest.MonkeyPatch
) -> None:
    cid = trashed(history, "Gone")
    page = page_with(qtbot, history)
    page.view.setCurrentIndex(page.model.index(0, 0))
    answers = iter([False, True])
    asked: list[str] = []

    def confirm(title: str) -> bool:
        asked.append(title)
        return next(answers)

    monkeypatch.setattr(page, "confirm_purge", confirm)
    with qtbot.assertNotEmitted(page.conversation_purged):
        page.purge_action.trigger()
    assert history.get_conversation(cid).deleted_at is not None
    with qtbot.waitSignal(page.conversation_purged) as purged:
        page.purge_action.trigger()
    assert purged.args == [cid]
    assert asked == ["Gone", "Gone"]
    assert history.list_conversations(trash=True) == []


def test_the_question_defaults_to_cancel(qtbot: QtBot, history: History) -> None:
    page = page_with(qtbot, history)
    seen: list[tuple[str, str]] = []

    def answer_with_enter() -> None:
        box = next(w for w in page.findChildren(QMessageBox) if w.isVisible())
        seen.append((box.text(), box.defaultButton().text()))
        box.defaultButton().click()

    QTimer.singleShot(0, answer_with_enter)
    assert page.confirm_purge("<b>Title</b>") is False
    assert seen == [("Delete “<b>Title</b>” forever? This cannot be undone.", "Cancel")]


def test_a_refused_restore_is_reported(qtbot: QtBot, history: History) -> None:
    cid = trashed(history, "Vanishing")
    page = page_with(qtbot, history)
    page.view.setCurrentIndex(page.model.index(0, 0))
    history.purge(cid)  # gone meanwhile (another window, say)
    with qtbot.waitSignal(page.action_failed) as failed:
        page.restore_button.click()
    assert failed.args == [f"There is no conversation {cid}."]
