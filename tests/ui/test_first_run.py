"""First run in the window: the welcome gets a model, then a ready conversation offers three
examples (chat, summarize a file, draft an e-mail), and they go once there are messages.

The real window on a real engine and history; a real GGUF file is imported. Only Qt's file
chooser is answered by the test (it is modal), as the other window tests do.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QApplication, QFileDialog
from pytestqt.qtbot import QtBot

from app.ui.empty_state import CHAT_PROMPT
from app.ui.main_window import MainWindow
from app.ui.onboarding_dialog import OnboardingDialog
from tests.ui.window_fixtures import LOAD_TIMEOUT, choose_model, wait_for_reads


def focus(qtbot: QtBot, window: MainWindow) -> None:
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)


def finish_first_run(qtbot: QtBot, window: MainWindow, model: Path) -> OnboardingDialog:
    """Open the welcome as Hearth does with no model, and import `model` in it."""
    window.dialogs.start_onboarding_if_needed()
    dialog = window.dialogs.onboarding
    assert dialog is not None
    qtbot.waitUntil(dialog.isVisible)
    with qtbot.waitSignal(window.session.model_loaded, timeout=LOAD_TIMEOUT):
        dialog.import_file(model)
    wait_for_reads(qtbot, window)
    return dialog


def test_first_run_ends_in_a_ready_conversation_with_three_examples(
    qtbot: QtBot, window: MainWindow, scripted_model: Path
) -> None:
    dialog = finish_first_run(qtbot, window, scripted_model)
    assert not dialog.isVisible()
    cid = window.current_conversation_id()
    assert cid is not None  # a new conversation, on the new model
    assert window.history.get_conversation(cid).model == "scripted-tiny"
    assert window.status.model_label.text() == "Scripted Tiny"
    empty = window.stage.empty_state
    assert window.stage.showing_empty_state
    assert empty.isVisible()
    assert not window.transcript.isVisible()
    cards = [card.text() for card in empty.cards if card.isVisible()]
    assert cards == ["Ask anything", "Summarize a file", "Draft an e-mail"]


def test_later_leaves_the_welcome_and_the_examples_still_show(
    qtbot: QtBot, window: MainWindow
) -> None:
    window.dialogs.start_onboarding_if_needed()
    dialog = window.dialogs.onboarding
    assert dialog is not None
    qtbot.waitUntil(dialog.isVisible)
    dialog.reject()  # what "Later" does
    assert not dialog.isVisible()
    assert window.current_conversation_id() is None
    assert window.stage.showing_empty_state
    window.dialogs.start_onboarding_if_needed()  # asked once per run, not again
    assert window.dialogs.onboarding is dialog
    assert not dialog.isVisible()


def test_the_chat_example_goes_into_the_box_unsent(
    qtbot: QtBot, window: MainWindow, scripted_model: Path
) -> None:
    finish_first_run(qtbot, window, scripted_model)
    focus(qtbot, window)
    cid = window.current_conversation_id()
    assert cid is not None
    qtbot.mouseClick(window.stage.empty_state.chat_card, Qt.MouseButton.LeftButton)
    assert window.composer.text() == CHAT_PROMPT
    qtbot.waitUntil(window.composer.editor.hasFocus)
    assert window.composer.editor.textCursor().atEnd()
    assert window.history.active_path(cid) == []  # nothing was sent
    assert window.stage.showing_empty_state


def test_the_chat_example_keeps_what_the_user_already_wrote(window: MainWindow) -> None:
    window.composer.editor.setPlainText("My own question")
    window.stage.empty_state.chat_card.click()
    assert window.composer.text() == f"My own question\n{CHAT_PROMPT}"


def test_the_examples_work_from_the_keyboard(qtbot: QtBot, window: MainWindow) -> None:
    focus(qtbot, window)
    card = window.stage.empty_state.chat_card
    card.setFocus()
    qtbot.waitUntil(card.hasFocus)
    qtbot.keyClick(card, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.composer.text() == CHAT_PROMPT)
    window.composer.editor.clear()
    card.setFocus()
    qtbot.keyClick(card, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: window.composer.text() == CHAT_PROMPT)


def test_the_summarize_example_asks_for_documents_and_queues_them(
    qtbot: QtBot, window: MainWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    document = tmp_path / "report.txt"
    document.write_text("Revenue grew.\n\nCosts fell.", encoding="utf-8")
    asked: list[str] = []

    def choose(_parent: object, title: str, *_args: object) -> tuple[list[str], str]:
        asked.append(title)
        return [str(document)], ""

    monkeypatch.setattr(QFileDialog, "getOpenFileNames", choose)
    assert not window.summarize_panel.isVisible()
    window.stage.empty_state.summarize_card.click()
    assert asked == ["Summarize documents"]  # the same chooser as the menu's
    assert window.summarize_panel.isVisible()
    assert [item.path for item in window.summarize_panel.queue] == [document]


def test_the_e_mail_example_opens_the_e_mail_panel(qtbot: QtBot, window: MainWindow) -> None:
    focus(qtbot, window)
    assert not window.email_panel.isVisible()
    window.stage.empty_state.email_card.click()
    assert window.email_panel.isVisible()
    qtbot.waitUntil(window.email_panel.recipient.hasFocus)


def test_the_examples_go_once_a_message_is_sent_and_come_back_for_a_new_conversation(
    qtbot: QtBot, window: MainWindow, scripted_model: Path
) -> None:
    choose_model(qtbot, window, scripted_model)
    first = window.new_conversation()
    wait_for_reads(qtbot, window)
    assert window.stage.showing_empty_state
    window.stage.empty_state.chat_card.click()
    with qtbot.waitSignal(window.session.job_finished, timeout=LOAD_TIMEOUT):
        window.composer.send_button.click()
        assert not window.stage.showing_empty_state  # the question shows at once
    wait_for_reads(qtbot, window)
    assert not window.stage.showing_empty_state
    assert window.transcript.isVisible()
    assert CHAT_PROMPT in window.transcript.toPlainText()
    window.new_conversation()
    wait_for_reads(qtbot, window)
    assert window.stage.showing_empty_state
    window.open_conversation(first)  # back to one with messages
    wait_for_reads(qtbot, window)
    assert not window.stage.showing_empty_state
    assert "Hello, world!" in window.transcript.toPlainText()


def test_a_missing_conversation_is_explained_not_offered_examples(
    qtbot: QtBot, window: MainWindow
) -> None:
    window.open_conversation(42)
    wait_for_reads(qtbot, window)
    assert not window.stage.showing_empty_state
    assert "There is no conversation 42" in window.transcript.toPlainText()


def test_the_examples_follow_a_theme_change(qtbot: QtBot, window: MainWindow) -> None:
    """The cards draw from the palette: a new theme repaints their icons in its accent."""
    from app.ui.theme import apply_theme

    app = QApplication.instance()
    assert isinstance(app, QApplication)
    card = window.stage.empty_state.chat_card
    before = card.picture.pixmap().toImage()
    apply_theme(app, "dark")  # palettes reach the widgets through the event loop
    try:
        qtbot.waitUntil(lambda: card.picture.pixmap().toImage() != before)
        dark = card.palette().color(QPalette.ColorRole.Highlight)
        assert card.picture.pixmap().toImage().pixelColor(12, 5) == dark  # on the icon's top edge
    finally:
        apply_theme(app, "system")
