"""Files handed to Hearth from outside: `hearth --open FILE...` and "Open with" (macOS sends
those as QFileOpenEvents). They take the same path as a drop."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QFileOpenEvent
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from app.cli import build_parser
from app.ui.file_open_events import FileOpenEvents
from app.ui.main_window import MainWindow


def test_hearth_open_takes_any_number_of_files() -> None:
    args = build_parser().parse_args(["--open", "a.pdf", "b c.docx"])
    assert args.command is None
    assert args.open == [Path("a.pdf"), Path("b c.docx")]
    assert build_parser().parse_args([]).open == []


def test_opened_documents_join_the_summary_queue(window: MainWindow, tmp_path: Path) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("Some notes.\n", encoding="utf-8")
    window.open_files([notes])
    assert window.summarize_panel.isVisible()
    assert [item.path for item in window.summarize_panel.queue] == [notes]


def test_an_opened_e_mail_asks_reply_or_summarize(window: MainWindow, tmp_path: Path) -> None:
    mail = tmp_path / "lunch.eml"
    mail.write_text("From: a@example.org\nSubject: Lunch?\n\nFriday?\n", encoding="utf-8")
    window.open_files([mail])
    question = window.emails.drop_question
    assert question is not None
    assert question.isVisible()
    assert question.windowTitle() == "An e-mail"
    assert "lunch.eml" in question.text()
    assert window.summarize_panel.queue == []
    question.reject()


def test_a_file_open_event_reaches_the_window(
    qtbot: QtBot, window: MainWindow, tmp_path: Path
) -> None:
    """What macOS delivers for "Open With → Hearth" or a file dropped on the Dock icon."""
    notes = tmp_path / "report.md"
    notes.write_text("# Report\n", encoding="utf-8")
    app = QApplication.instance()
    assert app is not None
    events = FileOpenEvents(window.open_files, window)
    app.installEventFilter(events)
    try:
        QCoreApplication.sendEvent(app, QFileOpenEvent(str(notes)))
    finally:
        app.removeEventFilter(events)
    assert [item.path for item in window.summarize_panel.queue] == [notes]
