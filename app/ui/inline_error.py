"""A bar above the composer that says what went wrong, with the action to take as a button.

An error a person can act on offers that act right there: "Reload the model" after the
engine stopped, "Choose a model" when none is loaded, "Choose the file again…" when a
document went missing. Dismiss closes the bar. Its colours follow the light or dark
palette, so the message stays readable in both.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPaintEvent, QPalette, QPen
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QToolButton, QWidget

from app.ui.icons import icon
from app.ui.metrics import GAP_SMALL, GAP_TIGHT

ErrorAction = tuple[str, Callable[[], None]]  # the button's label, what it does

# (background, border, text) of the bar on a light and on a dark window.
LIGHT_COLOURS = ("#fdecea", "#f5c2c0", "#611a15")
DARK_COLOURS = ("#4a2424", "#7a3b38", "#ffd9d5")


class InlineError(QWidget):
    """A bar above the composer: what went wrong, and the button that helps, if any."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.label = QLabel()
        self.label.setWordWrap(True)
        self.label.setAccessibleName("Error")
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.reload_button = QPushButton("Reload the model")
        self.reload_button.setAccessibleName("Reload the model")
        self.action_button = QPushButton()
        self.action_button.setAccessibleName("What to do about the error")
        self.action_button.clicked.connect(self._act)
        self.dismiss_button = QToolButton()
        self.dismiss_button.setIcon(icon("cancel"))
        self.dismiss_button.setAutoRaise(True)
        self.dismiss_button.setToolTip("Dismiss")
        self.dismiss_button.setAccessibleName("Dismiss the error")
        self.dismiss_button.clicked.connect(self.hide)
        self._action: Callable[[], None] | None = None
        self.setObjectName("inline-error")
        self._colour_text()
        layout = QHBoxLayout(self)
        layout.setContentsMargins(GAP_SMALL, GAP_TIGHT, GAP_TIGHT, GAP_TIGHT)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.reload_button)
        layout.addWidget(self.action_button)
        layout.addWidget(self.dismiss_button)
        self.hide()

    def show_error(
        self, message: str, offer_reload: bool = False, *, action: ErrorAction | None = None
    ) -> None:
        """Show `message`; with Reload (`offer_reload`) or another `action` as a button."""
        self.label.setText(message)
        self.reload_button.setVisible(offer_reload)
        self._action = action[1] if action else None
        self.action_button.setVisible(action is not None)
        if action is not None:
            self.action_button.setText(action[0])
            self.action_button.setAccessibleName(action[0])
        self.show()

    def _act(self) -> None:
        act = self._action
        self.hide()
        if act is not None:
            act()

    @property
    def colours(self) -> tuple[str, str, str]:
        """(background, border, text) for the palette's theme, light or dark."""
        dark = self.palette().color(QPalette.ColorRole.Window).lightness() < 128
        return DARK_COLOURS if dark else LIGHT_COLOURS

    def paintEvent(self, _event: QPaintEvent) -> None:  # noqa: N802 (Qt's name)
        """Painted, not styled: a widget with a style sheet is not told of a new theme."""
        background, border, _ = self.colours
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(QPen(QColor(border), 1.0))
        painter.setBrush(QColor(background))
        painter.drawRoundedRect(QRectF(self.rect()).adjusted(0.5, 0.5, -0.5, -0.5), 4, 4)
        painter.end()

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 (Qt's name)
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange:
            self._colour_text()

    def _colour_text(self) -> None:
        palette = self.label.palette()
        palette.setColor(QPalette.ColorRole.WindowText, QColor(self.colours[2]))
        self.label.setPalette(palette)
