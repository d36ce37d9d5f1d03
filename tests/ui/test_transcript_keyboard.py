"""Message actions can be reached with Tab and followed with Enter."""

from __future__ import annotations

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from tests.ui.transcript_helpers import message, shown_view


def test_message_actions_work_from_the_keyboard(qtbot: QtBot) -> None:
    view = shown_view(qtbot, message_actions=True)
    view.show_messages([message(1, "user", "Question"), message(2, "assistant", "Answer")])
    view.setFocus()
    chosen: list[tuple[str, int]] = []
    view.action_requested.connect(lambda verb, mid: chosen.append((verb, mid)))
    # Tab walks the links (the question's Copy and Edit, then the reply's), Enter follows one.
    anchors_seen = []
    for _ in range(4):
        qtbot.keyClick(view, Qt.Key.Key_Tab)
        anchors_seen.append(view.textCursor().selectedText())
    assert anchors_seen == ["Copy", "Edit", "Copy", "Regenerate"]
    qtbot.keyClick(view, Qt.Key.Key_Return)
    assert chosen == [("regenerate", 2)]
