"""A card that is a button: an icon, a short title and a line saying what it does.

The empty conversation offers its example prompts as these, so they read as suggestions
rather than as toolbar buttons. It is a real button (focus, Space and Enter, a screen
reader's "button"), drawn as a card from the palette (see `card_frame`).
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QSize, Qt
from PySide6.QtGui import QEnterEvent, QIcon, QKeyEvent, QPaintEvent, QPalette
from PySide6.QtWidgets import QAbstractButton, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from app.ui.card_frame import emphasized, muted, paint_card, tinted
from app.ui.metrics import GAP, GAP_LARGE, GAP_SMALL, ICON_CARD


class PromptCard(QAbstractButton):
    """A clickable card (`clicked` is QAbstractButton's) with an icon, a title and a text."""

    def __init__(
        self, card_icon: QIcon, title: str, text: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setText(title)
        self.setAccessibleName(title)
        self.setAccessibleDescription(text)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setAttribute(Qt.WidgetAttribute.WA_Hover, True)
        self._icon = card_icon
        self.picture = QLabel()
        self._paint_icon()
        self.title_label = emphasized(QLabel(title))
        self.text_label = muted(QLabel(text))
        self.text_label.setWordWrap(True)
        heading = QHBoxLayout()
        heading.setSpacing(GAP)
        heading.addWidget(self.picture)
        heading.addWidget(self.title_label, 1)
        self._column = QVBoxLayout(self)
        self._column.setContentsMargins(GAP_LARGE, GAP_LARGE, GAP_LARGE, GAP_LARGE)
        self._column.setSpacing(GAP_SMALL)
        self._column.addLayout(heading)
        self._column.addWidget(self.text_label, 1, Qt.AlignmentFlag.AlignTop)

    def _paint_icon(self) -> None:
        """The icon in the accent colour, at the pixel density of the card's screen."""
        accent = self.palette().color(QPalette.ColorRole.Highlight)
        self.picture.setPixmap(tinted(self._icon, ICON_CARD, accent, self.devicePixelRatioF()))

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 (Qt's name)
        """A new theme: the icon takes its accent colour."""
        if event.type() == QEvent.Type.PaletteChange:
            self._paint_icon()
        super().changeEvent(event)

    def event(self, event: QEvent) -> bool:
        """Moved to a screen of another pixel density: draw the icon again, sharp there."""
        if event.type() == QEvent.Type.DevicePixelRatioChange:
            self._paint_icon()
        return super().event(event)

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt's name)
        return self._column.sizeHint()

    def minimumSizeHint(self) -> QSize:  # noqa: N802 (Qt's name)
        return self._column.minimumSize()

    def paintEvent(self, _event: QPaintEvent) -> None:  # noqa: N802 (Qt's name)
        paint_card(self, highlighted=self.hasFocus() or self.underMouse(), pressed=self.isDown())

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 (Qt's name)
        """Enter presses the card too, as it does a default button (Space already does)."""
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.animateClick()
            return
        super().keyPressEvent(event)

    def enterEvent(self, event: QEnterEvent) -> None:  # noqa: N802 (Qt's name)
        self.update()
        super().enterEvent(event)

    def leaveEvent(self, event: QEvent) -> None:  # noqa: N802 (Qt's name)
        self.update()
        super().leaveEvent(event)
