"""Starting the Qt application: the window, its engine session, and their teardown."""

from __future__ import annotations

import logging
import sys
from collections.abc import Sequence
from pathlib import Path

from PySide6.QtWidgets import QApplication

from app import __version__
from app.runtime import Runtime
from app.ui.chat_session import ChatSession
from app.ui.error_dialog import install_exception_dialog
from app.ui.file_open_events import FileOpenEvents
from app.ui.icons import icon
from app.ui.main_window import MainWindow
from app.ui.theme import apply_theme

log = logging.getLogger("hearth.ui")


def run_application(conversation_id: int | None, files: Sequence[Path] = ()) -> int:
    """Open the window (on `conversation_id` if given, with `files` opened in it: see
    `MainWindow.open_files`) and run until it closes."""
    runtime = Runtime.start()
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(sys.argv)
    app.setApplicationName("Hearth")
    app.setApplicationVersion(__version__)
    app.setWindowIcon(icon("hearth"))
    install_exception_dialog(runtime.paths.log_file)
    apply_theme(app, runtime.settings.theme)
    with runtime.open_history() as history:
        session = ChatSession(runtime.new_engine(), runtime.paths.database)
        window = MainWindow(runtime, history, session)
        window.restore_state()
        if conversation_id is not None:
            window.open_conversation(conversation_id)
        app.installEventFilter(FileOpenEvents(window.open_files, window))
        window.show()
        log.info("window shown (Hearth %s)", __version__)
        window.dialogs.start_onboarding_if_needed()
        if files:
            window.open_files(list(files))
        try:
            return app.exec()
        finally:
            session.shutdown()
