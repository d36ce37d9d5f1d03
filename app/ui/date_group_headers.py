"""The conversation list's date groups: a group's name drawn above its first row.

The headers are painted by the delegate, not added as rows, so the model keeps one row per
conversation: selection, keyboard moves, paging and renaming work as before, and screen
readers read each conversation's title. The group of a row comes from the model's
`ConversationRole.GROUP` (app/date_groups.py).
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, QSize, Qt
from PySide6.QtGui import QFont, QFontMetrics, QPainter, QPalette
from PySide6.QtWidgets import QStyledItemDelegate, QStyleOptionViewItem, QWidget

from app.ui.conversation_model import ConversationRole
from app.ui.metrics import GAP, GAP_SMALL, TEXT_CAPTION, scaled

_Index = QModelIndex | QPersistentModelIndex
HEADER_PADDING = GAP  # above a group's name: the groups read as separate blocks


class DateGroupHeaders(QStyledItemDelegate):
    """Rows of a `ConversationListModel` view, each group's first row under its name."""

    def header_of(self, index: _Index) -> str | None:
        """The group name drawn above this row: only where a new group starts."""
        group = index.data(ConversationRole.GROUP)
        if not group:
            return None
        if index.row() == 0:
            return str(group)
        previous = index.model().index(index.row() - 1, 0).data(ConversationRole.GROUP)
        return str(group) if group != previous else None

    def sizeHint(self, option: QStyleOptionViewItem, index: _Index) -> QSize:  # noqa: N802
        size = super().sizeHint(option, index)
        if self.header_of(index) is not None:
            size.setHeight(size.height() + _header_height(option))
        return size

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: _Index) -> None:
        header = self.header_of(index)
        if header is None:
            super().paint(painter, option, index)
            return
        height = _header_height(option)
        painter.save()
        painter.setFont(_header_font(option))
        painter.setPen(option.palette.color(QPalette.ColorRole.PlaceholderText))
        rect = option.rect
        area = QRect(rect.left() + GAP_SMALL, rect.top(), rect.width() - 2 * GAP_SMALL, height)
        painter.drawText(area, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignBottom, header)
        painter.restore()
        super().paint(painter, _below_header(option, height), index)

    def updateEditorGeometry(  # noqa: N802 (Qt's name)
        self, editor: QWidget, option: QStyleOptionViewItem, index: _Index
    ) -> None:
        """Renaming inline edits the title, not the header above it."""
        if self.header_of(index) is not None:
            option = _below_header(option, _header_height(option))
        super().updateEditorGeometry(editor, option, index)


def _header_font(option: QStyleOptionViewItem) -> QFont:
    font = scaled(option.font, TEXT_CAPTION)
    font.setBold(True)
    return font


def _header_height(option: QStyleOptionViewItem) -> int:
    return QFontMetrics(_header_font(option)).height() + HEADER_PADDING


def _below_header(option: QStyleOptionViewItem, height: int) -> QStyleOptionViewItem:
    row = QStyleOptionViewItem(option)
    row.rect = option.rect.adjusted(0, height, 0, 0)
    return row
