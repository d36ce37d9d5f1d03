"""The main window on a real engine and a real history, for the window tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QEvent
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from app.paths import resolve_paths
from app.runtime import Runtime
from app.ui.chat_session import ChatSession
from app.ui.main_window import MainWindow
from app.ui.transcript_view import TranscriptView
from tests.ui.transcript_helpers import shown_view


@pytest.fixture
def models_dir(hearth_home: Path) -> Path:
    """Where the `hearth` command (run with this test's HEARTH_HOME) installs models."""
    return resolve_paths().default_models_dir


@pytest.fixture
def runtime() -> Runtime:
    runtime = Runtime.start()
    runtime.settings.context_length = 1024
    runtime.settings.threads = 2
    return runtime


@pytest.fixture
def window(qtbot: QtBot, runtime: Runtime) -> Iterator[MainWindow]:
    with runtime.open_history() as history:
        session = ChatSession(runtime.new_engine(), runtime.paths.database)
        main = MainWindow(runtime, history, session)
        main.show()
        yield main
        # The window (and its timers: draft count, search) goes before the History does.
        main.close()
        main.deleteLater()
        QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
        session.shutdown()


@pytest.fixture
def view(qtbot: QtBot) -> TranscriptView:
    """A transcript on screen, for the transcript tests (tests/ui/transcript_helpers.py)."""
    return shown_view(qtbot)
