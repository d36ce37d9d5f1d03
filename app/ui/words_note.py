"""A note above the composer saying where the words go, before any is sent to a server.

A conversation on a server the user added sends what they write off this computer; Hearth's
promise is that this never happens unannounced. The status line says it all along; this note
says it once per conversation, where the user looks before sending (not a modal dialog: the
user chose the server, and should not have to click through a warning to use it).
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QLabel, QWidget

from app.ui.metrics import GAP_SMALL


def words_go_text(server: str) -> str:
    """`server` is its name and address: "office (192.168.1.20:8080)"."""
    return f"Your words go to {server} — a server you added."


class WordsNote(QLabel):
    """Hidden until `tell(server)`; `hide()` once the first message went."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Where your words go")
        self.setWordWrap(True)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setMargin(GAP_SMALL)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.hide()

    def tell(self, server: str) -> None:
        self.setText(words_go_text(server))
        self.show()
