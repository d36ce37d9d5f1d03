"""The composer: Enter sends, Shift+Enter adds a line, blank text is not sent."""

from __future__ import annotations

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from app.ui.composer import Composer


def make(qtbot: QtBot) -> tuple[Composer, list[str]]:
    composer = Composer()
    qtbot.addWidget(composer)
    sent: list[str] = []
    composer.send_requested.connect(sent.append)
    return composer, sent


def test_enter_sends_and_shift_enter_adds_a_line(qtbot: QtBot) -> None:
    composer, sent = make(qtbot)
    qtbot.keyClicks(composer.editor, "first line")
    qtbot.keyClick(composer.editor, Qt.Key.Key_Return, Qt.KeyboardModifier.ShiftModifier)
    qtbot.keyClicks(composer.editor, "second line")
    assert sent == []
    qtbot.keyClick(composer.editor, Qt.Key.Key_Return)
    assert sent == ["first line\nsecond line"]
    assert composer.text() == "first line\nsecond line"  # kept until the send is accepted
    composer.clear_sent()
    assert composer.text() == ""


def test_blank_text_is_not_sent(qtbot: QtBot) -> None:
    composer, sent = make(qtbot)
    qtbot.keyClicks(composer.editor, "   ")
    qtbot.keyClick(composer.editor, Qt.Key.Key_Return)
    assert sent == []


def test_while_generating_send_is_off_and_stop_is_on(qtbot: QtBot) -> None:
    composer, sent = make(qtbot)
    stops: list[bool] = []
    composer.stop_requested.connect(lambda: stops.append(True))
    composer.set_generating(True)
    qtbot.keyClicks(composer.editor, "next question")
    qtbot.keyClick(composer.editor, Qt.Key.Key_Return)
    assert sent == []
    assert composer.text() == "next question"
    qtbot.mouseClick(composer.stop_button, Qt.MouseButton.LeftButton)
    assert stops == [True]
    composer.set_generating(False)
    qtbot.mouseClick(composer.send_button, Qt.MouseButton.LeftButton)
    assert sent == ["next question"]
