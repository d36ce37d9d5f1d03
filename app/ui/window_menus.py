"""The window's Hearth menu: one table of entries, their shortcuts and icons.

Kept apart from main_window.py so that adding an entry is one line here, not a change to the
window's construction code.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtGui import QAction, QKeySequence

from app.ui.icons import icon

if TYPE_CHECKING:
    from app.ui.main_window import MainWindow


def build_hearth_menu(window: MainWindow) -> None:
    """The Hearth menu, in the order people look for things: new work first, Quit last."""
    menu = window.menuBar().addMenu("&Hearth")
    entries: tuple[tuple[str, str, Callable[[], object], str], ...] = (
        ("&New conversation", "Ctrl+N", window.new_conversation, "new"),
        ("New &e-mail", "Ctrl+E", window.emails.new_email, ""),
        ("&Reply to an e-mail…", "", window.emails.choose_email, ""),
        ("Summarize a &document…", "Ctrl+O", window.choose_documents, "document"),
        ("&Models…", "Ctrl+M", window.open_model_manager, "models"),
        ("&Settings…", "Ctrl+,", window.open_settings, ""),
        ("Ser&vers…", "", window.dialogs.open_servers, ""),
        ("&Conversation settings…", "", window.open_conversation_settings, ""),
        ("&Quit", "Ctrl+Q", window.close, ""),
    )
    for label, keys, slot, icon_name in entries:
        action = QAction(icon(icon_name), label, window) if icon_name else QAction(label, window)
        if keys:
            action.setShortcut(QKeySequence(keys))
        action.triggered.connect(slot)
        menu.addAction(action)
