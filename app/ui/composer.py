"""Where the user writes: Enter sends, Shift+Enter starts a new line, Stop ends a reply.

What the user typed is never thrown away: the text leaves the box only when a send was
accepted (the window calls `clear_sent()`), so a refused send keeps it.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QDragEnterEvent, QDropEvent, QKeyEvent, QTextCursor
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.documents.text_attachment import quote_attachment, read_text_attachment
from app.errors import HearthError
from app.ui.icons import icon

DRAFT_PAUSE_MS = 400  # count tokens once typing pauses this long


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
    """The message box with Send, Stop and Attach; text files can be dropped on it too.

    Signals:
        send_requested(str): the user asked to send this (non-blank) text.
        stop_requested(): the user asked to stop the reply being written.
        draft_changed(str): the text, once typing pauses (for the token count).
        attachment_failed(str): why a file could not be attached (for people).
    """

    send_requested = Signal(str)
    stop_requested = Signal()
    draft_changed = Signal(str)
    attachment_failed = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.editor = MessageEdit()
        self.editor.setPlaceholderText("Write a message. Enter sends, Shift+Enter adds a line.")
        self.editor.setAccessibleName("Message")
        self.editor.setTabChangesFocus(True)
        self.editor.setFixedHeight(90)
        self.send_button = QPushButton(icon("send"), "Send")
        self.send_button.setAccessibleName("Send message")
        self.stop_button = QPushButton(icon("stop"), "Stop")
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
        self.attach_button = QPushButton(icon("attach"), "Attach…")
        self.attach_button.setAccessibleName("Attach a text file")
        self.token_label = QLabel("")
        self.token_label.setAccessibleName("Tokens in the context")
        buttons = QVBoxLayout()
        buttons.addWidget(self.send_button)
        buttons.addWidget(self.stop_button)
        buttons.addWidget(self.attach_button)
        buttons.addWidget(self.token_label)
        row = QHBoxLayout()
        row.addWidget(self.editor, 1)
        row.addLayout(buttons)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(banner)
        layout.addLayout(row)
        self.cancel_edit_button.clicked.connect(self.cancel_edit)
        self._show_banner(False)
        self.attach_button.clicked.connect(self._choose_attachment)
        self._draft_timer = QTimer(self, singleShot=True, interval=DRAFT_PAUSE_MS)
        self._draft_timer.timeout.connect(lambda: self.draft_changed.emit(self.text()))
        self.editor.textChanged.connect(self._draft_timer.start)
        self.setAcceptDrops(True)
        self.editor.setAcceptDrops(False)  # drops land on the composer, which attaches them
        self.editor.submitted.connect(self._submit)
        self.send_button.clicked.connect(self._submit)
        self.stop_button.clicked.connect(self.stop_requested)
        self.set_generating(False)

    def attach(self, path: Path) -> bool:
        """Quote a text file's contents into the message at the cursor."""
        try:
            text = read_text_attachment(path)
        except HearthError as exc:
            self.attachment_failed.emit(exc.message)
            return False
        self.editor.insertPlainText(quote_attachment(path, text))
        self.editor.setFocus()
        return True

    def show_token_count(self, text: str) -> None:
        self.token_label.setText(text)

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802 (Qt's name)
        if any(url.isLocalFile() for url in event.mimeData().urls()):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802 (Qt's name)
        for url in event.mimeData().urls():
            if url.isLocalFile():
                self.attach(Path(url.toLocalFile()))
        event.acceptProposedAction()

    def _choose_attachment(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self,
            "Attach a text file",
            "",
            "Text files (*.txt *.md *.csv *.json *.py *.log);;All files (*)",
        )
        if path:
            self.attach(Path(path))

    def text(self) -> str:
        return self.editor.toPlainText()

    def clear_sent(self) -> None:
        self.editor.clear()
        self.editing_message_id = None
        self._show_banner(False)

    def suggest(self, text: str) -> None:
        """Put a suggested message in the box, unsent, with the cursor after it. Text the
        user already wrote stays: the suggestion goes on a new line below it."""
        if self.text().strip():
            self.editor.appendPlainText(text)
        else:
            self.editor.setPlainText(text)
        self.editor.moveCursor(QTextCursor.MoveOperation.End)
        self.editor.setFocus()

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
