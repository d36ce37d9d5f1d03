"""The first window: lists conversations, shows one safely, opens on a given id."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from app.paths import resolve_paths
from app.store import History
from app.ui.application import run_application
from app.ui.main_window import EMPTY_TEXT, MainWindow


def fill(history: History) -> tuple[int, int]:
    first = history.create_conversation()
    history.add_message(first, "user", "What do otters eat?")
    history.add_message(first, "assistant", "Mostly fish <img src='http://127.0.0.1:9/x.png'>")
    second = history.create_conversation()
    history.add_message(second, "user", "Plan a trip")
    return first, second


def test_lists_and_shows_conversations(qtbot: QtBot, tmp_path: Path) -> None:
    with History.open(tmp_path / "h.db") as history:
        first, _second = fill(history)
        window = MainWindow(history)
        qtbot.addWidget(window)
        assert window.conversation_list.count() == 2
        window.open_conversation(first)
        assert window.current_conversation_id() == first
        text = window.transcript.toPlainText()
        assert "What do otters eat?" in text
        # Raw HTML in model output is shown as text, never rendered (or fetched).
        assert "<img src='http://127.0.0.1:9/x.png'>" in text
        assert "What do otters eat?" in window.windowTitle()


def test_empty_history_explains_how_to_start(qtbot: QtBot, tmp_path: Path) -> None:
    with History.open(tmp_path / "h.db") as history:
        window = MainWindow(history)
        qtbot.addWidget(window)
        assert window.transcript.toPlainText() == EMPTY_TEXT


def test_unknown_conversation_is_explained(qtbot: QtBot, tmp_path: Path) -> None:
    with History.open(tmp_path / "h.db") as history:
        window = MainWindow(history)
        qtbot.addWidget(window)
        window.open_conversation(42)
        assert "There is no conversation 42" in window.transcript.toPlainText()


def test_run_application_opens_on_the_conversation(qtbot: QtBot) -> None:
    paths = resolve_paths().ensure()
    with History.open(paths.database) as history:
        _, second = fill(history)
    seen: dict[str, object] = {}

    def inspect_and_close() -> None:
        windows = [w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow)]
        seen["count"] = len(windows)
        seen["current"] = windows[0].current_conversation_id() if windows else None
        seen["visible"] = bool(windows) and windows[0].isVisible()
        for window in windows:
            window.close()
        QApplication.quit()

    QTimer.singleShot(200, inspect_and_close)
    assert run_application(second) == 0
    assert seen == {"count": 1, "current": second, "visible": True}
