"""A bar above the composer that says what went wrong, with Reload when that helps."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QWidget


class InlineError(QWidget):
    """A bar above the composer: what went wrong, and a Reload button when that helps."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.label = QLabel()
        self.label.setWordWrap(True)
        self.label.setAccessibleName("Error")
        self.reload_button = QPushButton("Reload the model")
        self.reload_button.setAccessibleName("Reload the model")
        self.setObjectName("inline-error")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.setStyleSheet(
            "#inline-error { background: #fdecea; border: 1px solid #f5c2c0; "
            "border-radius: 4px; } QLabel { color: #611a15; }"
        )
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 4, 8, 4)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.reload_button)
        self.hide()

    def show_error(self, message: str, offer_reload: bool) -> None:
        self.label.setText(message)
        self.reload_button.setVisible(offer_reload)
        self.show()
