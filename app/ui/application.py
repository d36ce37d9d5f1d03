"""Starting the Qt application."""

from __future__ import annotations

import sys

from PySide6.QtWidgets import QApplication

from app import __version__
from app.runtime import Runtime
from app.ui.main_window import MainWindow


def run_application(conversation_id: int | None) -> int:
    """Open the window (on `conversation_id` if given) and run until it closes."""
    runtime = Runtime.start()
    app = QApplication.instance() or QApplication(sys.argv)
    app.setApplicationName("Hearth")
    app.setApplicationVersion(__version__)
    with runtime.open_history() as history:
        window = MainWindow(history)
        if conversation_id is not None:
            window.open_conversation(conversation_id)
        window.show()
        return app.exec()
