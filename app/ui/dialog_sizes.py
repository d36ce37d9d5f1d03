"""How big a dialog may get and opens: resizable, never cut off, never larger than the screen.

Every dialog follows the same rule, so none is fixed-size and none opens off a small laptop
screen: its minimum is a sensible floor grown to what its layout needs (wrapped text needs
more height at the minimum width), and it opens at a comfortable size that still fits the
screen's free area. A dialog too long for a short screen puts its fields in a
`ScrolledPage`, which scrolls up and down but is never narrower than its fields.
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import QDialog, QFrame, QScrollArea, QStyle, QWidget


def layout_minimum(dialog: QDialog, width: int, wrapped: bool = True) -> QSize:
    """The smallest size `dialog`'s layout fits in, `width` pixels wide or wider; with
    `wrapped`, tall enough for its wrapped text at that width."""
    layout = dialog.layout()
    if layout is None:
        return QSize(0, 0)
    needed = layout.totalMinimumSize()
    if wrapped and layout.hasHeightForWidth():
        tall = layout.totalMinimumHeightForWidth(max(width, needed.width()))
        needed.setHeight(max(needed.height(), tall))
    return needed


def set_dialog_sizes(
    dialog: QDialog, minimum: QSize, default: QSize, *, wrapped: bool = True
) -> None:
    """Let `dialog` shrink to `minimum` (or what its layout needs, if more) and open it at
    `default`, within the screen's free area.

    `wrapped=False` for a dialog whose wrapped text sits in tabs: Qt answers a tab page's
    height-for-width with its preferred height, not its minimum, which would make the
    minimum far taller than the content needs (the model manager's tests check the rest).
    """
    floor = minimum.expandedTo(layout_minimum(dialog, minimum.width(), wrapped))
    dialog.setMinimumSize(floor)
    size = QSize(default)
    if screen := dialog.screen():
        size = size.boundedTo(screen.availableGeometry().size())
    dialog.resize(size.expandedTo(floor))


class ScrolledPage(QScrollArea):
    """A dialog's fields that scroll vertically when the dialog is shorter than they are.

    Its size hint is the whole page (the dialog opens showing every field when the screen
    has room) and its minimum width is the page's, so fields are never cut off sideways.
    """

    def __init__(self, page: QWidget, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setWidgetResizable(True)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setWidget(page)

    def _bar_width(self) -> int:
        return self.style().pixelMetric(QStyle.PixelMetric.PM_ScrollBarExtent, None, self)

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt's name)
        page = self.widget()
        return page.sizeHint() + QSize(self._bar_width(), 0) if page else super().sizeHint()

    def minimumSizeHint(self) -> QSize:  # noqa: N802 (Qt's name)
        page = self.widget()
        hint = super().minimumSizeHint()
        if page is None:
            return hint
        return QSize(page.minimumSizeHint().width() + self._bar_width(), hint.height())
