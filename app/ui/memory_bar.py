"""A model's memory need drawn against this computer's memory, with the verdict in words.

A word alone ("Fits") does not show how close a call is; a bar does: its whole width is all
of the memory, grey is what other programs use now, the coloured part is what the model
needs (red past the free memory), and a tick marks where the GPU's share ends on a Mac. The
verdict word and a one-line summary stay as text beside it, and the verdict's explanation is
the tooltip and the accessible description, so nothing depends on seeing colours.
The numbers come from app/catalog/guide.py (`MemoryBar`); this widget only draws them.
"""

from __future__ import annotations

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPaintEvent, QPalette
from PySide6.QtWidgets import QHBoxLayout, QLabel, QVBoxLayout, QWidget

from app.catalog.fit import FitLabel
from app.catalog.guide import MemoryBar
from app.ui.metrics import GAP_TIGHT

VERDICT_COLOURS = {
    FitLabel.FITS: "#2e7d32",
    FitLabel.TIGHT: "#b26a00",
    FitLabel.WONT_FIT: "#b3261e",
}
BAR_HEIGHT = 10
LEGEND = (
    "The bar is all of this computer's memory: grey is in use by other programs, the colour "
    "is this model."
)
GPU_LEGEND = " The line marks how much the GPU can use."


class MemoryBarGauge(QWidget):
    """The bar itself (see the module doc); `bar` is what it draws."""

    def __init__(self, bar: MemoryBar, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.bar = bar
        self.setMinimumWidth(120)
        self.setFixedHeight(BAR_HEIGHT)

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt's name)
        return QSize(180, BAR_HEIGHT)

    def paintEvent(self, _event: QPaintEvent) -> None:  # noqa: N802 (Qt's name)
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        width, height = float(self.width()), float(self.height())
        palette = self.palette()
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(palette.color(QPalette.ColorRole.Base))
        painter.drawRoundedRect(QRectF(0, 0, width, height), 3, 3)
        painter.setBrush(palette.color(QPalette.ColorRole.Mid))
        in_use = width * self.bar.in_use
        painter.drawRect(QRectF(0, 0, in_use, height))
        colour = VERDICT_COLOURS[FitLabel.WONT_FIT if self.bar.overflows else self.bar.label]
        painter.setBrush(QColor(colour))
        painter.drawRect(QRectF(in_use, 0, width * self.bar.needed, height))
        if self.bar.gpu_limit is not None:
            painter.setPen(palette.color(QPalette.ColorRole.WindowText))
            x = width * self.bar.gpu_limit
            painter.drawLine(int(x), 0, int(x), int(height))
        painter.setPen(palette.color(QPalette.ColorRole.Mid))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawRoundedRect(QRectF(0.5, 0.5, width - 1, height - 1), 3, 3)
        painter.end()


class MemoryBarView(QWidget):
    """The verdict word, the bar and the one-line summary under it."""

    def __init__(self, bar: MemoryBar, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.bar = bar
        self.verdict = QLabel(f"<b>{bar.label.value}</b>")
        self.verdict.setStyleSheet(f"color: {VERDICT_COLOURS[bar.label]};")
        self.gauge = MemoryBarGauge(bar)
        self.summary = QLabel(bar.text)
        self.summary.setWordWrap(True)
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.verdict)
        row.addWidget(self.gauge, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(GAP_TIGHT)
        layout.addLayout(row)
        layout.addWidget(self.summary)
        legend = LEGEND + (GPU_LEGEND if bar.gpu_limit is not None else "")
        described = f"{bar.explanation}\n{legend}"
        for widget in (self, self.gauge, self.verdict, self.summary):
            widget.setToolTip(described)
        self.setAccessibleName(f"Memory: {bar.label.value}")
        self.setAccessibleDescription(described)
        self.gauge.setAccessibleName(f"Memory needed: {bar.text}")
        self.gauge.setAccessibleDescription(bar.explanation)
