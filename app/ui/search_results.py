"""Message search results: a list model of `SearchHit`s and a delegate drawing them.

The store marks matches in a snippet as `[word]`, but message text can hold brackets of its
own (`x = [1, 2]`, Markdown links). So a bracketed part is highlighted only when its words
are words of the query, the way FTS5 matched them (case and accents folded); anything else
is shown as typed. Every piece of text is HTML-escaped before the markup is added: snippets
are user and model text, never HTML.
"""

from __future__ import annotations

import html
import math
import re
import unicodedata
from enum import IntEnum
from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QElapsedTimer,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QPointF,
    QRectF,
    QSize,
    Qt,
)
from PySide6.QtGui import QAbstractTextDocumentLayout, QPainter, QPalette, QTextDocument
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
)

from app.store import SearchHit
from app.ui.conversation_model import UNTITLED
from app.ui.message_html import SPEAKERS

MATCH_OPEN = '<span style="background-color:#ffe680; color:#000000;"><b>'
MATCH_CLOSE = "</b></span>"

_MARKED = re.compile(r"\[([^\[\]]*)\]")
_WORD = re.compile(r"[^\W_]+")  # FTS5's unicode61 tokens: letters and digits
_Index = QModelIndex | QPersistentModelIndex


class SearchRole(IntEnum):
    """Data roles of `SearchResultsModel` besides display (plain text)."""

    HTML = Qt.ItemDataRole.UserRole + 1
    CONVERSATION_ID = Qt.ItemDataRole.UserRole + 2
    MESSAGE_ID = Qt.ItemDataRole.UserRole + 3


def no_results_text(query: str) -> str:
    return f"No messages match “{query.strip()}”."


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def _words(text: str) -> list[str]:
    return _WORD.findall(_fold(text))


def snippet_parts(snippet: str, query: str) -> list[tuple[str, bool]]:
    """`snippet` as (text, is_match) pieces, with the match markers removed."""
    terms = set(_words(query))
    parts: list[tuple[str, bool]] = []
    start = 0
    for marked in _MARKED.finditer(snippet):
        words = _words(marked.group(1))
        if not words or not all(word in terms for word in words):
            continue  # brackets that were in the message itself
        parts.append((snippet[start : marked.start()], False))
        parts.append((marked.group(1), True))
        start = marked.end()
    parts.append((snippet[start:], False))
    return [(text, is_match) for text, is_match in parts if text]


def snippet_html(snippet: str, query: str) -> str:
    """The snippet as escaped HTML with each match in bold on a highlight."""
    return "".join(
        f"{MATCH_OPEN}{html.escape(text)}{MATCH_CLOSE}" if is_match else html.escape(text)
        for text, is_match in snippet_parts(snippet, query)
    )


def snippet_text(snippet: str, query: str) -> str:
    """The snippet as plain text (for screen readers and tooltips)."""
    return "".join(text for text, _ in snippet_parts(snippet, query))


def hit_html(hit: SearchHit, query: str) -> str:
    title = html.escape(hit.conversation_title or UNTITLED)
    speaker = html.escape(SPEAKERS.get(hit.role, hit.role))
    body = snippet_html(hit.snippet, query)
    return f'<div style="font-weight:600;">{title}</div><div>{speaker}: {body}</div>'


class SearchResultsModel(QAbstractListModel):
    """The hits of the last search, best match first."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._query = ""
        self._hits: list[SearchHit] = []

    @property
    def query(self) -> str:
        return self._query

    def show_results(self, query: str, hits: list[SearchHit]) -> None:
        self.beginResetModel()
        self._query = query
        self._hits = list(hits)
        self.endResetModel()

    def rowCount(self, parent: _Index | None = None) -> int:  # noqa: N802 (Qt's name)
        return 0 if parent is not None and parent.isValid() else len(self._hits)

    def hit_at(self, index: _Index) -> SearchHit | None:
        if not index.isValid() or index.parent().isValid() or index.row() >= len(self._hits):
            return None
        return self._hits[index.row()]

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        hit = self.hit_at(index)
        if hit is None:
            return None
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            title = hit.conversation_title or UNTITLED
            return f"{title}: {snippet_text(hit.snippet, self._query)}"
        values: dict[int, Any] = {
            SearchRole.HTML: hit_html(hit, self._query),
            SearchRole.CONVERSATION_ID: hit.conversation_id,
            SearchRole.MESSAGE_ID: hit.message_id,
        }
        return values.get(role)

    def ids_at(self, index: _Index) -> tuple[int, int] | None:
        """(conversation id, message id) of the hit at `index`."""
        hit = self.hit_at(index)
        return None if hit is None else (hit.conversation_id, hit.message_id)


class RepeatFilter:
    """Lets a hit through unless the same one passed within a double-click interval.

    A click can also activate (per platform style) and a double click follows a click:
    without this, one gesture would open the same hit two or three times.
    """

    def __init__(self) -> None:
        self._last: tuple[int, int] | None = None
        self._clock = QElapsedTimer()

    def admits(self, hit: tuple[int, int]) -> bool:
        interval = QApplication.doubleClickInterval()
        if hit == self._last and self._clock.isValid() and self._clock.elapsed() < interval:
            return False
        self._last = hit
        self._clock.start()
        return True


class SearchHitDelegate(QStyledItemDelegate):
    """Draws a hit as rich text: the conversation title over the highlighted snippet."""

    MARGIN = 4

    def html_for(self, index: _Index) -> str:
        """The markup this delegate renders for `index` (escaped text plus highlights)."""
        value = index.data(SearchRole.HTML)
        return value if isinstance(value, str) else ""

    def document_for(self, option: QStyleOptionViewItem, index: _Index) -> QTextDocument:
        document = QTextDocument()
        document.setDocumentMargin(0)
        document.setDefaultFont(option.font)
        document.setHtml(self.html_for(index))
        document.setTextWidth(max(1, self._text_width(option)))
        return document

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: _Index) -> None:
        styled = QStyleOptionViewItem(option)
        self.initStyleOption(styled, index)
        styled.text = ""  # the background and focus frame only; the text is ours
        widget = styled.widget
        style = widget.style() if widget is not None else QApplication.style()
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, styled, painter, widget)
        document = self.document_for(styled, index)
        context = QAbstractTextDocumentLayout.PaintContext()
        selected = bool(styled.state & QStyle.StateFlag.State_Selected)
        text_role = QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text
        context.palette.setColor(QPalette.ColorRole.Text, styled.palette.color(text_role))
        area = QRectF(styled.rect).adjusted(self.MARGIN, self.MARGIN, -self.MARGIN, 0)
        painter.save()
        painter.translate(area.topLeft())
        painter.setClipRect(QRectF(QPointF(0, 0), area.size()))
        document.documentLayout().draw(painter, context)
        painter.restore()

    def sizeHint(self, option: QStyleOptionViewItem, index: _Index) -> QSize:  # noqa: N802
        styled = QStyleOptionViewItem(option)
        self.initStyleOption(styled, index)
        document = self.document_for(styled, index)
        height = math.ceil(document.size().height()) + 2 * self.MARGIN
        return QSize(self._text_width(styled) + 2 * self.MARGIN, height)

    def _text_width(self, option: QStyleOptionViewItem) -> int:
        widget = option.widget
        if isinstance(widget, QAbstractItemView):
            return widget.viewport().width() - 2 * self.MARGIN
        return option.rect.width() - 2 * self.MARGIN
