"""The main window: a conversation list beside a transcript.

A first, read-only window: browse and read the history. Chat in the window, the model
manager and settings come with the full window.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QListWidget, QListWidgetItem, QMainWindow, QSplitter

from app.errors import HearthError
from app.store import History
from app.ui.transcript_view import TranscriptView

EMPTY_TEXT = "No conversations yet. Start one with: hearth chat --model MODEL.gguf"


class MainWindow(QMainWindow):
    """Lists conversations and shows the selected one."""

    def __init__(self, history: History) -> None:
        super().__init__()
        self._history = history
        self.setWindowTitle("Hearth")
        self.resize(960, 640)
        self.conversation_list = QListWidget()
        self.conversation_list.setAccessibleName("Conversations")
        self.transcript = TranscriptView()
        splitter = QSplitter()
        splitter.addWidget(self.conversation_list)
        splitter.addWidget(self.transcript)
        splitter.setStretchFactor(1, 3)
        self.setCentralWidget(splitter)
        self.conversation_list.currentItemChanged.connect(self._on_current_changed)
        self.reload_conversations()

    def reload_conversations(self) -> None:
        self.conversation_list.clear()
        conversations = self._history.list_conversations()
        for conversation in conversations:
            item = QListWidgetItem(conversation.title or "(untitled)")
            item.setData(Qt.ItemDataRole.UserRole, conversation.id)
            self.conversation_list.addItem(item)
        if not conversations:
            self.transcript.show_notice(EMPTY_TEXT)

    def open_conversation(self, conversation_id: int) -> None:
        """Select and show a conversation; a missing one is explained in the transcript."""
        for row in range(self.conversation_list.count()):
            item = self.conversation_list.item(row)
            if item.data(Qt.ItemDataRole.UserRole) == conversation_id:
                self.conversation_list.setCurrentItem(item)
                return
        try:
            self._show(conversation_id)
        except HearthError as exc:
            self.transcript.show_notice(exc.message)

    def current_conversation_id(self) -> int | None:
        item = self.conversation_list.currentItem()
        return None if item is None else int(item.data(Qt.ItemDataRole.UserRole))

    def _on_current_changed(self, current: QListWidgetItem | None, _previous: object) -> None:
        if current is not None:
            self._show(int(current.data(Qt.ItemDataRole.UserRole)))

    def _show(self, conversation_id: int) -> None:
        conversation = self._history.get_conversation(conversation_id)
        self.setWindowTitle(f"{conversation.title or '(untitled)'} — Hearth")
        self.transcript.show_messages(self._history.active_path(conversation_id))
