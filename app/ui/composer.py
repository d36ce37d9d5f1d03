"""Where the user writes: Enter sends, Shift+Enter starts a new line, Stop ends a reply.

What the user typed is never thrown away: the text leaves the box only when a send was
accepted (the window calls `clear_sent()`), so a refused send keeps it.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)


class MessageEdit(QPlainTextEdit):
    """A multi-line box where Enter submits and Shift+Enter inserts a newline.

    Signals:
        submitted(): Enter was pressed without Shift.
    """

    submitted = Signal()

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 (Qt's name)
        enter = event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
        if enter and not event.modifiers() & Qt.KeyboardModifier.ShiftModifier:
            self.submitted.emit()
            return
        super().keyPressEvent(event)


class Composer(QWidget):
    """The message box with Send and Stop.

    Signals:
        send_requested(str): the user asked to send this (non-blank) text.
        stop_requested(): the user asked to stop the reply being written.
    """

    send_requested = Signal(str)
    stop_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.editor = MessageEdit()
        self.editor.setPlaceholderText("Write a message. Enter sends, Shift+Enter adds a line.")
        self.editor.setAccessibleName("Message")
        self.editor.setTabChangesFocus(True)
        self.editor.setFixedHeight(90)
        self.send_button = QPushButton("Send")
        self.send_button.setAccessibleName("Send message")
        self.stop_button = QPushButton("Stop")
        self.stop_button.setAccessibleName("Stop the reply")
        self.stop_button.setToolTip("Stop the reply (Esc)")
        self.editing_message_id: int | None = None
        self.edit_banner = QLabel(
            "Editing a message: sending makes a new branch; the original stays."
        )
        self.edit_banner.setAccessibleName("Editing a message")
        self.cancel_edit_button = QPushButton("Cancel edit")
        self.cancel_edit_button.setAccessibleName("Cancel edit")
        banner = QHBoxLayout()
        banner.addWidget(self.edit_banner, 1)
        banner.addWidget(self.cancel_edit_button)
        buttons = QVBoxLayout()
        buttons.addWidget(self.send_button)
        buttons.addWidget(self.stop_button)
        row = QHBoxLayout()
        row.addWidget(self.editor, 1)
        row.addLayout(buttons)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(banner)
        layout.addLayout(row)
        self.cancel_edit_button.clicked.connect(self.cancel_edit)
        self._show_banner(False)
        self.editor.submitted.connect(self._submit)
        self.send_button.clicked.connect(self._submit)
        self.stop_button.clicked.connect(self.stop_requested)
        self.set_generating(False)

    def text(self) -> str:
        return self.editor.toPlainText()

    def clear_sent(self) -> None:
        self.editor.clear()
        self.editing_message_id = None
        self._show_banner(False)

    def begin_edit(self, message_id: int, text: str) -> None:
        """Put a sent message back in the box; sending it then makes a new branch."""
        self.editing_message_id = message_id
        self.editor.setPlainText(text)
        self._show_banner(True)
        self.editor.setFocus()

    def cancel_edit(self) -> None:
        self.clear_sent()

    def _show_banner(self, visible: bool) -> None:
        self.edit_banner.setVisible(visible)
        self.cancel_edit_button.setVisible(visible)

    def set_generating(self, generating: bool) -> None:
        self.send_button.setEnabled(not generating)
        self.stop_button.setEnabled(generating)

    def _submit(self) -> None:
        text = self.text()
        if text.strip() and self.send_button.isEnabled():
            self.send_requested.emit(text)
