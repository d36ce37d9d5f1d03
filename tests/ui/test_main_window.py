"""The window's frame: lists conversations, shows one safely, opens on a given id."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from app.runtime import Runtime
from app.store import History
from app.ui.application import run_application
from app.ui.chat_session import ChatSession
from app.ui.main_window import MainWindow
from tests.ui.window_fixtures import wait_for_reads


def fill(history: History) -> tuple[int, int]:
    first = history.create_conversation()
    history.add_message(first, "user", "What do otters eat?")
    history.add_message(first, "assistant", "Mostly fish <img src='http://127.0.0.1:9/x.png'>")
    second = history.create_conversation()
    history.add_message(second, "user", "Plan a trip")
    return first, second


@pytest.fixture
def parts() -> Iterator[tuple[Runtime, History, ChatSession]]:
    runtime = Runtime.start()
    with runtime.open_history() as history:
        session = ChatSession(runtime.new_engine(), runtime.paths.database)
        yield runtime, history, session
        session.shutdown()


def test_lists_and_shows_conversations(
    qtbot: QtBot, parts: tuple[Runtime, History, ChatSession]
) -> None:
    runtime, history, session = parts
    first, _ = fill(history)
    window = MainWindow(runtime, history, session)
    qtbot.addWidget(window)
    assert window.sidebar.current_conversation_id() is None
    window.open_conversation(first)
    wait_for_reads(qtbot, window)
    assert window.current_conversation_id() == first
    assert window.sidebar.current_conversation_id() == first
    text = window.transcript.toPlainText()
    assert "What do otters eat?" in text
    # Raw HTML in model output is shown as text, never rendered (or fetched).
    assert "<img src='http://127.0.0.1:9/x.png'>" in text
    assert "What do otters eat?" in window.windowTitle()


def test_empty_history_offers_ways_to_start(
    qtbot: QtBot, parts: tuple[Runtime, History, ChatSession]
) -> None:
    window = MainWindow(*parts)
    qtbot.addWidget(window)
    assert window.stage.showing_empty_state
    assert window.transcript.messages == ()


def test_unknown_conversation_is_explained(
    qtbot: QtBot, parts: tuple[Runtime, History, ChatSession]
) -> None:
    window = MainWindow(*parts)
    qtbot.addWidget(window)
    window.open_conversation(42)
    wait_for_reads(qtbot, window)
    assert "There is no conversation 42" in window.transcript.toPlainText()


def test_run_application_opens_on_the_conversation(qtbot: QtBot) -> None:
    runtime = Runtime.start()
    with runtime.open_history() as history:
        _, second = fill(history)
    seen: dict[str, object] = {}

    def inspect_and_close() -> None:
        windows = [w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow)]
        seen["count"] = len(windows)
        seen["current"] = windows[0].current_conversation_id() if windows else None
        seen["visible"] = bool(windows) and windows[0].isVisible()
        for window in windows:
            window.close()  # the last window closing ends app.exec() by itself

    QTimer.singleShot(200, inspect_and_close)
    assert run_application(second) == 0
    assert seen == {"count": 1, "current": second, "visible": True}
