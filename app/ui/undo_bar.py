"""The bar that offers Undo for a few seconds after a conversation went to the trash."""

from __future__ import annotations

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QWidget

from app.ui.sidebar_parts import button, label

UNDO_TEXT = "Conversation moved to the trash."


class UndoBar(QFrame):
    """ "Conversation moved to the trash." and Undo; hides itself after `timeout_ms`.

    Signals:
        undo_requested(int): Undo was pressed for that conversation (the bar is gone).
    """

    undo_requested = Signal(int)

    def __init__(self, timeout_ms: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Undo bar")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.pending_id: int | None = None  # the conversation Undo would bring back
        self.message_label = label(UNDO_TEXT, "Conversation moved to the trash")
        self.undo_button = button("Undo", "Undo moving to the trash")
        layout = QHBoxLayout(self)
        layout.addWidget(self.message_label, 1)
        layout.addWidget(self.undo_button)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(timeout_ms)
        self._timer.timeout.connect(self.dismiss)
        self.undo_button.clicked.connect(self._on_undo_clicked)
        self.hide()

    def offer(self, cid: int) -> None:
        """Show the bar for conversation `cid` (replacing any earlier offer)."""
        self.pending_id = cid
        self.show()
        self._timer.start()

    def dismiss(self) -> None:
        self._timer.stop()
        self.pending_id = None
        self.hide()

    def dismiss_for(self, cid: int) -> None:
        """Withdraw the offer if it is about `cid` (restored or deleted some other way)."""
        if cid == self.pending_id:
            self.dismiss()

    def _on_undo_clicked(self) -> None:
        cid = self.pending_id
        self.dismiss()
        if cid is not None:
            self.undo_requested.emit(cid)
