"""Search as you type over every message: the field, and the page of hits under it.

Typing waits for a short pause before searching. Esc in the field or the hits clears the
search (before any window-wide Esc shortcut sees it); Down in the field asks to move into
the list shown below.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QModelIndex, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QAbstractItemView, QLineEdit, QListView, QVBoxLayout

from app.store import SearchHit
from app.ui.background_reads import BackgroundReads
from app.ui.search_results import (
    RepeatFilter,
    SearchHitDelegate,
    SearchResultsModel,
    no_results_text,
)
from app.ui.sidebar_parts import box, label, list_view

SEARCH_PLACEHOLDER = "Search conversations (Ctrl+K)"
SEARCH_LIMIT = 50


class ConversationSearch(QObject):
    """The search field and the results page; the sidebar places both.

    Signals:
        results_shown(): a search ran; `page` shows its hits or why there are none.
        search_cleared(): the field was emptied; the page has nothing to show.
        hit_activated(int, int): a hit was opened (conversation id, message id).
        list_focus_requested(): Down was pressed in the field.
        search_failed(str): the store refused the search; the text is for people.
    """

    results_shown = Signal()
    search_cleared = Signal()
    hit_activated = Signal(int, int)
    list_focus_requested = Signal()
    search_failed = Signal(str)

    def __init__(
        self, reads: BackgroundReads, delay_ms: int, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self._reads = reads
        self._repeats = RepeatFilter()
        self.field = QLineEdit()
        self.field.setPlaceholderText(SEARCH_PLACEHOLDER)
        self.field.setAccessibleName("Search conversations")
        self.field.setClearButtonEnabled(True)
        self.results_model = SearchResultsModel(self)
        self.results_delegate = SearchHitDelegate(self)
        self.results_view = _results_view(self.results_model, self.results_delegate)
        self.no_results_label = label("", "No search results")
        self.page = box(QVBoxLayout(), self.no_results_label, self.results_view)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(delay_ms)
        self._timer.timeout.connect(self.run)
        self.field.textChanged.connect(self._on_text_changed)
        self.field.installEventFilter(self)
        self.results_view.installEventFilter(self)
        self.results_view.clicked.connect(self._emit_hit)
        self.results_view.activated.connect(self._emit_hit)

    def query(self) -> str:
        return self.field.text().strip()

    def focus(self) -> None:
        self.field.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.field.selectAll()

    def clear(self) -> None:
        self.field.clear()
        self.field.setFocus(Qt.FocusReason.OtherFocusReason)

    def run(self) -> None:
        """Search messages for the field's text now (typing waits for a pause first), on
        the reading thread: the hits are shown when they come, unless the text changed."""
        self._timer.stop()
        query = self.query()
        if not query:
            return
        self._reads.read(
            lambda reader: reader.search(query, limit=SEARCH_LIMIT),
            lambda found: self._show(query, found),
            self.search_failed.emit,
        )

    def _show(self, query: str, found: list[SearchHit]) -> None:
        if query != self.query():
            return  # typed on meanwhile: that search is on its way
        self.results_model.show_results(query, found)
        self.no_results_label.setText(no_results_text(query))
        self.no_results_label.setVisible(not found)
        self.results_view.setVisible(bool(found))
        self.results_shown.emit()

    def _on_text_changed(self, _text: str) -> None:
        if self.query():
            self._timer.start()
            return
        self._timer.stop()
        self.results_model.show_results("", [])
        self.search_cleared.emit()

    def _emit_hit(self, index: QModelIndex) -> None:
        hit = self.results_model.ids_at(index)
        if hit is not None and self._repeats.admits(hit):
            self.hit_activated.emit(*hit)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        """Esc in the field or the hits clears the search, before any window-wide Esc
        shortcut sees it; Down in the field asks for the list below."""
        if watched not in (self.field, self.results_view) or not isinstance(event, QKeyEvent):
            return super().eventFilter(watched, event)
        clears = event.key() == Qt.Key.Key_Escape and bool(self.field.text())
        if event.type() == QEvent.Type.ShortcutOverride and clears:
            event.accept()  # deliver Esc as a key press here instead of as a shortcut
            return True
        if event.type() == QEvent.Type.KeyPress and clears:
            self.clear()
            return True
        down = event.key() == Qt.Key.Key_Down and watched is self.field
        if event.type() == QEvent.Type.KeyPress and down:
            self.list_focus_requested.emit()
            return True
        return super().eventFilter(watched, event)


def _results_view(model: SearchResultsModel, delegate: SearchHitDelegate) -> QListView:
    """Hits are rich text of varying height, wrapped to the sidebar's width."""
    view = list_view(model, "Search results")
    view.setItemDelegate(delegate)
    view.setUniformItemSizes(False)
    view.setWordWrap(True)
    view.setResizeMode(QListView.ResizeMode.Adjust)
    view.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
    view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    return view
