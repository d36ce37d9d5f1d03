"""The composer: Enter sends, Shift+Enter adds a line, blank text is not sent."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent
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


def test_attaching_a_text_file_quotes_it_in(qtbot: QtBot, tmp_path: Path) -> None:
    composer, _ = make(qtbot)
    note = tmp_path / "notes.md"
    note.write_text("line one\nline two\n", encoding="utf-8")
    qtbot.keyClicks(composer.editor, "Summarize: ")
    assert composer.attach(note)
    assert composer.text() == "Summarize: notes.md:\n```\nline one\nline two\n```\n"


def test_a_binary_file_is_refused_with_a_reason(qtbot: QtBot, tmp_path: Path) -> None:
    composer, _ = make(qtbot)
    picture = tmp_path / "photo.jpg"
    picture.write_bytes(b"\xff\xd8\xff\xe0\x00\x10JFIF\x00")
    with qtbot.waitSignal(composer.attachment_failed) as blocker:
        assert not composer.attach(picture)
    assert "not a text file" in blocker.args[0]
    assert composer.text() == ""


def test_dropping_a_file_attaches_it(qtbot: QtBot, tmp_path: Path) -> None:
    composer, _ = make(qtbot)
    note = tmp_path / "todo.txt"
    note.write_text("buy milk", encoding="utf-8")
    data = QMimeData()
    data.setUrls([QUrl.fromLocalFile(str(note))])
    drop = QDropEvent(
        QPointF(5, 5),
        Qt.DropAction.CopyAction,
        data,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    composer.dropEvent(drop)
    assert "todo.txt:\n```\nbuy milk\n```" in composer.text()


def test_draft_changes_are_announced_once_typing_pauses(qtbot: QtBot) -> None:
    composer, _ = make(qtbot)
    drafts: list[str] = []
    composer.draft_changed.connect(drafts.append)
    qtbot.keyClicks(composer.editor, "hello there")
    qtbot.waitUntil(lambda: drafts == ["hello there"], timeout=3000)
