"""A rounded card drawn from the palette, and the text styles that go on it.

The welcome dialog's model card and the empty conversation's example prompts share this
look (padding, radius and text sizes come from `metrics`). Colours come from palette roles
at paint time, never from a style sheet with fixed colours, so the cards follow the light,
dark and system themes, even when the theme changes while they are on screen.
"""

from __future__ import annotations

from PySide6.QtCore import QRectF, QSize
from PySide6.QtGui import QColor, QIcon, QPainter, QPaintEvent, QPalette, QPen, QPixmap
from PySide6.QtWidgets import QFrame, QLabel, QWidget

from app.ui.metrics import RADIUS, TEXT_SMALL, scaled

EDGE_ALPHA = 60  # the resting border: the text colour, faint


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


def tinted(card_icon: QIcon, size: int, colour: QColor, ratio: float = 1.0) -> QPixmap:
    """`card_icon` drawn in `colour`, `size` pixels square on a screen of pixel `ratio`.

    The shipped icons are one mid grey, too faint on a dark card; in the palette's accent
    colour they read well on light and dark alike. The pixmap has `size` x `ratio` device
    pixels and says so (its devicePixelRatio), so a high-DPI screen shows it sharp at its
    logical size instead of scaling up a blurry `size`-pixel picture: pass the widget's
    `devicePixelRatioF()`."""
    pixmap = card_icon.pixmap(QSize(size, size), ratio)
    painter = QPainter(pixmap)
    painter.setCompositionMode(QPainter.CompositionMode.CompositionMode_SourceIn)
    # The painter works in logical pixels on a high-DPI pixmap: cover all of it.
    painter.fillRect(QRectF(0, 0, size, size), colour)
    painter.end()
    return pixmap


def muted(label: QLabel, smaller: bool = False) -> QLabel:
    """Secondary text: the palette's placeholder colour (readable in both themes)."""
    label.setForegroundRole(QPalette.ColorRole.PlaceholderText)
    if smaller:
        label.setFont(scaled(label.font(), TEXT_SMALL))
    return label


def emphasized(label: QLabel, scale: float = 1.0) -> QLabel:
    """Bold text, `scale` times the normal size (titles, names)."""
    font = scaled(label.font(), scale)
    font.setBold(True)
    label.setFont(font)
    return label
