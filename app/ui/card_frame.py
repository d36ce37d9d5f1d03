"""A rounded card drawn from the palette, and the text styles that go on it.

The welcome dialog's model card and the empty conversation's example prompts share this
look. Colours come from palette roles at paint time, never from a style sheet with fixed
colours, so the cards follow the light, dark and system themes, even when the theme changes
while they are on screen.
"""

from __future__ import annotations

from PySide6.QtCore import QRectF
from PySide6.QtGui import QColor, QIcon, QPainter, QPaintEvent, QPalette, QPen, QPixmap
from PySide6.QtWidgets import QFrame, QLabel, QWidget

RADIUS = 8
EDGE_ALPHA = 60  # the resting border: the text colour, faint
PADDING = 14  # inside a card, between its edge and its content


def paint_card(widget: QWidget, highlighted: bool = False, pressed: bool = False) -> None:
    """Draw `widget`'s background as a card: the Base colour, a faint border, or the
    Highlight colour's border when it has the focus or the mouse."""
    palette = widget.palette()
    painter = QPainter(widget)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    fill = palette.color(QPalette.ColorRole.AlternateBase if pressed else QPalette.ColorRole.Base)
    if highlighted:
        edge, width = palette.color(QPalette.ColorRole.Highlight), 2.0
    else:
        edge = QColor(palette.color(QPalette.ColorRole.WindowText))
        edge.setAlpha(EDGE_ALPHA)
        width = 1.0
    painter.setPen(QPen(edge, width))
    painter.setBrush(fill)
    inset = width / 2  # the border's outer half stays inside the widget
    painter.drawRoundedRect(
        QRectF(widget.rect()).adjusted(inset, inset, -inset, -inset), RADIUS, RADIUS
    )
    painter.end()


class CardFrame(QFrame):
    """A plain card: put a layout with labels in it."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.NoFrame)

    def paintEvent(self, _event: QPaintEvent) -> None:  # noqa: N802 (Qt's name)
        paint_card(self)


def tinted(card_icon: QIcon, size: int, colour: QColor) -> QPixmap:
    """`card_icon` drawn in `colour`: the shipped icons are one mid grey, too faint on a
    dark card; in the palette's accent colour they read well on light and dark alike."""
    pixmap = card_icon.pixmap(size, size)
    painter = QPainter(pixmap)
    painter.setCompositionMode(QPainter.CompositionMode.CompositionMode_SourceIn)
    painter.fillRect(pixmap.rect(), colour)
    painter.end()
    return pixmap


def muted(label: QLabel, smaller: bool = False) -> QLabel:
    """Secondary text: the palette's placeholder colour (readable in both themes)."""
    label.setForegroundRole(QPalette.ColorRole.PlaceholderText)
    if smaller:
        font = label.font()
        font.setPointSizeF(font.pointSizeF() * 0.9)
        label.setFont(font)
    return label


def emphasized(label: QLabel, scale: float = 1.0) -> QLabel:
    """Bold text, `scale` times the normal size (titles, names)."""
    font = label.font()
    font.setBold(True)
    font.setPointSizeF(font.pointSizeF() * scale)
    label.setFont(font)
    return label
