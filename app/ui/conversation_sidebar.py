"""The sidebar beside the transcript: conversations, message search and the trash.

The lists are models over `History` (`ConversationListModel`, `SearchResultsModel`); this
widget only arranges views and turns user actions into store calls and signals. Deleting
is never final from the list: it moves a conversation to the trash and offers Undo for a
few seconds; only "Delete forever" in the trash removes it, after a confirmation.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from functools import partial

from PySide6.QtCore import (
    QAbstractItemModel,
    QEvent,
    QModelIndex,
    QObject,
    QPoint,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QAction, QKeyEvent, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QBoxLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QMenu,
    QMessageBox,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app.errors import HearthError
from app.store import History
from app.ui.conversation_model import ConversationListModel, ConversationRole
from app.ui.icons import icon
from app.ui.search_results import (
    RepeatFilter,
    SearchHitDelegate,
    SearchResultsModel,
    no_results_text,
)

SEARCH_PLACEHOLDER = "Search conversations (Ctrl+K)"
UNDO_TEXT = "Conversation moved to the trash."
TRASH_EMPTY_TEXT = "The trash is empty."
SEARCH_LIMIT = 50


def _button(text: str, accessible_name: str) -> QPushButton:
    button = QPushButton(text)
    button.setAccessibleName(accessible_name)
    return button


def _label(text: str, accessible_name: str) -> QLabel:
    label = QLabel(text)
    label.setTextFormat(Qt.TextFormat.PlainText)  # queries and titles are never markup
    label.setWordWrap(True)
    label.setAccessibleName(accessible_name)
    return label


def _list_view(model: QAbstractItemModel, accessible_name: str) -> QListView:
    view = QListView()
    view.setModel(model)
    view.setAccessibleName(accessible_name)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)  # F2 is an action
    view.setUniformItemSizes(True)
    view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
    return view


def _box(layout: QBoxLayout, *widgets: QWidget) -> QWidget:
    """A plain widget holding `widgets` in `layout` (a row or a column) without margins."""
    box = QWidget()
    box.setLayout(layout)
    layout.setContentsMargins(0, 0, 0, 0)
    for widget in widgets:
        layout.addWidget(widget)
    return box


class ConversationSidebar(QWidget):
    """New conversation, search-as-you-type, the conversation list and the trash.

    `select_conversation()` never emits `conversation_selected`, so a window can call it
    from its handlers without loops. When the selected conversation leaves the list (moved
    to the trash, or gone at a `refresh()`), the list selects its neighbour, as any
    single-selection list does, and that one is announced with `conversation_selected`.

    Signals:
        new_conversation_requested(): the "New conversation" button was pressed.
        conversation_selected(int): the user selected a conversation (its id).
        conversation_renamed(int): the user renamed a conversation.
        conversation_deleted(int): a conversation was moved to the trash.
        conversation_restored(int): a conversation came back from the trash (Undo, Restore).
        conversation_purged(int): a conversation in the trash was deleted forever.
        search_hit_activated(int, int): a search hit was opened (conversation, message id).
        action_failed(str): the store refused a change; the text is for people.
    """

    new_conversation_requested = Signal()
    conversation_selected = Signal(int)
    conversation_renamed = Signal(int)
    conversation_deleted = Signal(int)
    conversation_restored = Signal(int)
    conversation_purged = Signal(int)
    search_hit_activated = Signal(int, int)
    action_failed = Signal(str)

    def __init__(
        self,
        history: History,
        parent: QWidget | None = None,
        *,
        undo_timeout_ms: int = 8000,
        search_delay_ms: int = 150,
    ) -> None:
        super().__init__(parent)
        self.setAccessibleName("Conversation sidebar")
        self._history = history
        self._announced_id: int | None = None  # the selection the window already knows
        self._undo_id: int | None = None
        self._hit_repeats = RepeatFilter()
        self._build_models()
        self._build_controls()
        self._build_actions()
        self._arrange()
        self._undo_timer = self._single_shot(undo_timeout_ms, self.dismiss_undo)
        self._search_timer = self._single_shot(search_delay_ms, self.run_search)
        self._connect()
        self._update_actions()

    # -- construction -----------------------------------------------------------------------

    def _build_models(self) -> None:
        self.conversation_model = ConversationListModel(self._history, parent=self)
        self.trash_model = ConversationListModel(self._history, trash=True, parent=self)
        self.results_model = SearchResultsModel(self)
        self.results_delegate = SearchHitDelegate(self)

    def _build_controls(self) -> None:
        self.new_button = _button("New conversation", "New conversation")
        self.new_button.setIcon(icon("new"))
        self.search_field = QLineEdit()
        self.search_field.setPlaceholderText(SEARCH_PLACEHOLDER)
        self.search_field.setAccessibleName("Search conversations")
        self.search_field.setClearButtonEnabled(True)
        self.list_view = _list_view(self.conversation_model, "Conversations")
        self.trash_view = _list_view(self.trash_model, "Trash")
        self.results_view = _list_view(self.results_model, "Search results")
        self.results_view.setItemDelegate(self.results_delegate)
        self.results_view.setUniformItemSizes(False)
        self.results_view.setWordWrap(True)
        self.results_view.setResizeMode(QListView.ResizeMode.Adjust)
        self.results_view.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.results_view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.no_results_label = _label("", "No search results")
        self.trash_empty_label = _label(TRASH_EMPTY_TEXT, "Trash is empty")
        self.restore_button = _button("Restore", "Restore conversation")
        self.purge_button = _button("Delete forever", "Delete conversation forever")
        self.undo_label = _label(UNDO_TEXT, "Conversation moved to the trash")
        self.undo_button = _button("Undo", "Undo moving to the trash")
        self.trash_toggle = _button("Trash", "Show trash")
        self.trash_toggle.setIcon(icon("trash"))
        self.trash_toggle.setCheckable(True)

    def _build_actions(self) -> None:
        self.rename_action = self._action("Rename", self.rename_selected, self.list_view)
        self.rename_action.setShortcut(QKeySequence(Qt.Key.Key_F2))
        self.pin_action = self._action("Pin", self.toggle_pin_selected, self.list_view)
        self.delete_action = self._action("Delete", self.delete_selected, self.list_view)
        self.delete_action.setShortcut(QKeySequence(QKeySequence.StandardKey.Delete))
        self.restore_action = self._action("Restore", self.restore_selected, self.trash_view)
        self.purge_action = self._action("Delete forever", self.purge_selected, self.trash_view)
        self.purge_action.setShortcut(QKeySequence(QKeySequence.StandardKey.Delete))

    def _arrange(self) -> None:
        buttons = _box(QHBoxLayout(), self.restore_button, self.purge_button)
        self.trash_page = _box(QVBoxLayout(), self.trash_view, self.trash_empty_label, buttons)
        self.search_page = _box(QVBoxLayout(), self.no_results_label, self.results_view)
        self.stack = QStackedWidget()
        for page in (self.list_view, self.trash_page, self.search_page):
            self.stack.addWidget(page)
        self.undo_bar = QFrame()
        self.undo_bar.setAccessibleName("Undo bar")
        self.undo_bar.setFrameShape(QFrame.Shape.StyledPanel)
        bar = QHBoxLayout(self.undo_bar)
        bar.addWidget(self.undo_label, 1)
        bar.addWidget(self.undo_button)
        self.undo_bar.hide()
        layout = QVBoxLayout(self)
        for widget in (self.new_button, self.search_field, self.stack):
            layout.addWidget(widget)
        layout.addWidget(self.undo_bar)
        layout.addWidget(self.trash_toggle)
        order: list[QWidget] = [self.new_button, self.search_field, self.list_view]
        order += [self.trash_view, self.restore_button, self.purge_button, self.results_view]
        order += [self.undo_button, self.trash_toggle]
        for first, second in itertools.pairwise(order):
            QWidget.setTabOrder(first, second)

    def _connect(self) -> None:
        self.new_button.clicked.connect(self.new_conversation_requested)
        self.search_field.textChanged.connect(self._on_search_text_changed)
        self.search_field.installEventFilter(self)
        self.results_view.installEventFilter(self)
        self.list_view.selectionModel().selectionChanged.connect(self._on_list_selection)
        self.trash_view.selectionModel().selectionChanged.connect(self._update_actions)
        for view in (self.list_view, self.trash_view):
            view.customContextMenuRequested.connect(partial(self._show_menu, view))
        self.results_view.clicked.connect(self._emit_hit)
        self.results_view.activated.connect(self._emit_hit)
        self.conversation_model.renamed.connect(self.conversation_renamed)
        self.conversation_model.write_failed.connect(self.action_failed)
        self.conversation_model.rowsRemoved.connect(self._update_actions)
        self.restore_button.clicked.connect(self.restore_selected)
        self.purge_button.clicked.connect(self.purge_selected)
        self.undo_button.clicked.connect(self.undo_delete)
        self.trash_toggle.toggled.connect(self._on_trash_toggled)

    def _action(self, text: str, slot: Callable[[], object], widget: QWidget) -> QAction:
        action = QAction(text, self)
        action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        action.triggered.connect(slot)
        widget.addAction(action)
        return action

    def _single_shot(self, interval_ms: int, slot: Callable[[], object]) -> QTimer:
        timer = QTimer(self)
        timer.setSingleShot(True)
        timer.setInterval(interval_ms)
        timer.timeout.connect(slot)
        return timer

    # -- the conversation list --------------------------------------------------------------

    def refresh(self) -> None:
        """Re-read conversations, the trash and (if one is shown) the search results."""
        self.conversation_model.refresh()
        self.trash_model.refresh()
        if self._search_text():
            self.run_search()
        self._update_actions()

    def current_conversation_id(self) -> int | None:
        """The conversation selected in the list, if any."""
        return self._selected_id(self.list_view)

    def select_conversation(self, cid: int) -> bool:
        """Select `cid` in the list (leaving the trash); False if it is not listed."""
        index = self.conversation_model.index_of(cid)
        if not index.isValid():
            self.conversation_model.refresh()
            index = self.conversation_model.index_of(cid)
        if not index.isValid():
            return False
        self._announced_id = cid
        self.trash_toggle.setChecked(False)
        self.list_view.setCurrentIndex(index)
        self.list_view.scrollTo(index)
        return True

    def rename_selected(self) -> None:
        """Start editing the selected conversation's title in place."""
        index = self._selected_index(self.list_view)
        if index.isValid() and self.stack.currentWidget() is self.list_view:
            self.list_view.edit(index)

    def toggle_pin_selected(self) -> None:
        cid = self.current_conversation_id()
        if cid is None:
            return
        pinned = bool(self._selected_index(self.list_view).data(ConversationRole.PINNED))
        if self._attempt(lambda: self._history.set_pinned(cid, not pinned)):
            self.conversation_model.refresh()
            self.list_view.scrollTo(self._selected_index(self.list_view))
            self._update_actions()

    def delete_selected(self) -> None:
        """Move the selected conversation to the trash and offer Undo."""
        cid = self.current_conversation_id()
        if cid is None or not self._attempt(lambda: self._history.delete(cid)):
            return
        self.refresh()
        self._undo_id = cid
        self.undo_bar.show()
        self._undo_timer.start()
        self.conversation_deleted.emit(cid)

    def undo_delete(self) -> None:
        """Bring back the conversation the undo bar is about."""
        cid = self._undo_id
        self.dismiss_undo()
        if cid is not None and self._attempt(lambda: self._history.restore(cid)):
            self.refresh()
            self.conversation_restored.emit(cid)

    def dismiss_undo(self) -> None:
        self._undo_timer.stop()
        self._undo_id = None
        self.undo_bar.hide()

    def _on_list_selection(self) -> None:
        self._update_actions()
        cid = self.current_conversation_id()
        if cid == self._announced_id:
            return
        self._announced_id = cid
        if cid is not None:
            self.conversation_selected.emit(cid)

    def build_menu(self, view: QListView) -> QMenu:
        """The context menu of `view` (the list or the trash) for its selected row."""
        self._update_actions()
        menu = QMenu(self)
        menu.setAccessibleName(f"{view.accessibleName()} actions")
        menu.addActions(view.actions())
        return menu

    def _show_menu(self, view: QListView, position: QPoint) -> None:
        if view.indexAt(position).isValid():
            menu = self.build_menu(view)
            menu.exec(view.viewport().mapToGlobal(position))
            menu.deleteLater()

    # -- the trash ---------------------------------------------------------------------------

    def restore_selected(self) -> None:
        cid = self._selected_id(self.trash_view)
        if cid is None or not self._attempt(lambda: self._history.restore(cid)):
            return
        if cid == self._undo_id:
            self.dismiss_undo()
        self.refresh()
        self.conversation_restored.emit(cid)

    def purge_selected(self) -> None:
        """Delete the selected conversation in the trash forever, once the user agrees."""
        index = self._selected_index(self.trash_view)
        cid = self._selected_id(self.trash_view)
        if cid is None or not self.confirm_purge(str(index.data())):
            return
        if self._attempt(lambda: self._history.purge(cid)):
            if cid == self._undo_id:
                self.dismiss_undo()
            self.refresh()
            self.conversation_purged.emit(cid)

    def confirm_purge(self, title: str) -> bool:
        """Ask before deleting forever (a modal box; Cancel is the default)."""
        box = QMessageBox(self)
        box.setIcon(QMessageBox.Icon.Warning)
        box.setWindowTitle("Delete forever?")
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.setText(f"Delete “{title}” forever? This cannot be undone.")
        purge = box.addButton("Delete forever", QMessageBox.ButtonRole.DestructiveRole)
        cancel = box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(cancel)
        box.setEscapeButton(cancel)
        box.exec()
        agreed = box.clickedButton() is purge
        box.deleteLater()
        return agreed

    def _on_trash_toggled(self, shown: bool) -> None:
        self.trash_toggle.setText("Back to conversations" if shown else "Trash")
        if shown:
            self.search_field.clear()
            self.trash_model.refresh()
        self._show_base_page()
        self._update_actions()

    # -- search ------------------------------------------------------------------------------

    def focus_search(self) -> None:
        self.search_field.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search_field.selectAll()

    def clear_search(self) -> None:
        self.search_field.clear()
        self.search_field.setFocus(Qt.FocusReason.OtherFocusReason)

    def run_search(self) -> None:
        """Search messages for the field's text now (typing waits for a pause first)."""
        self._search_timer.stop()
        query = self._search_text()
        if not query:
            return
        found = []

        def search() -> None:
            found.extend(self._history.search(query, limit=SEARCH_LIMIT, prefix_last=True))

        if not self._attempt(search):
            return
        self.results_model.show_results(query, found)
        self.no_results_label.setText(no_results_text(query))
        self.no_results_label.setVisible(not found)
        self.results_view.setVisible(bool(found))
        self.stack.setCurrentWidget(self.search_page)

    def _search_text(self) -> str:
        return self.search_field.text().strip()

    def _on_search_text_changed(self, _text: str) -> None:
        searching = bool(self._search_text())
        if searching:
            self._search_timer.start()
            return
        self._search_timer.stop()
        self.results_model.show_results("", [])
        self._show_base_page()

    def _emit_hit(self, index: QModelIndex) -> None:
        hit = self.results_model.ids_at(index)
        if hit is not None and self._hit_repeats.admits(hit):
            self.search_hit_activated.emit(*hit)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        """Esc in the search field or results clears the search (before any window-wide
        Esc shortcut sees it); Down in the search field moves into the list below."""
        if watched not in (self.search_field, self.results_view) or not isinstance(
            event, QKeyEvent
        ):
            return super().eventFilter(watched, event)
        clears = event.key() == Qt.Key.Key_Escape and bool(self.search_field.text())
        if event.type() == QEvent.Type.ShortcutOverride and clears:
            event.accept()  # deliver Esc as a key press here instead of as a shortcut
            return True
        if event.type() == QEvent.Type.KeyPress and clears:
            self.clear_search()
            return True
        down = event.key() == Qt.Key.Key_Down and watched is self.search_field
        if event.type() == QEvent.Type.KeyPress and down:
            self._focus_shown_list()
            return True
        return super().eventFilter(watched, event)

    # -- helpers -----------------------------------------------------------------------------

    def _show_base_page(self) -> None:
        shown = self.trash_page if self.trash_toggle.isChecked() else self.list_view
        self.stack.setCurrentWidget(shown)

    def _focus_shown_list(self) -> None:
        page = self.stack.currentWidget()
        view = self.list_view
        if page is self.trash_page or page is self.search_page:
            view = self.trash_view if page is self.trash_page else self.results_view
        if not view.currentIndex().isValid() and view.model().rowCount() > 0:
            view.setCurrentIndex(view.model().index(0, 0))
        view.setFocus(Qt.FocusReason.TabFocusReason)

    @staticmethod
    def _selected_index(view: QListView) -> QModelIndex:
        rows = view.selectionModel().selectedRows()
        return rows[0] if rows else QModelIndex()

    def _selected_id(self, view: QListView) -> int | None:
        value = self._selected_index(view).data(ConversationRole.ID)
        return None if value is None else int(value)

    def _update_actions(self) -> None:
        index = self._selected_index(self.list_view)
        for action in (self.rename_action, self.pin_action, self.delete_action):
            action.setEnabled(index.isValid())
        self.pin_action.setText("Unpin" if index.data(ConversationRole.PINNED) else "Pin")
        in_trash = self._selected_index(self.trash_view).isValid()
        for action in (self.restore_action, self.purge_action):
            action.setEnabled(in_trash)
        self.restore_button.setEnabled(in_trash)
        self.purge_button.setEnabled(in_trash)
        empty = self.trash_model.rowCount() == 0
        self.trash_empty_label.setVisible(empty)
        self.trash_view.setVisible(not empty)

    def _attempt(self, change: Callable[[], object]) -> bool:
        """Run a store call; a HearthError goes to `action_failed` instead of up."""
        try:
            change()
        except HearthError as exc:
            self.action_failed.emit(exc.message)
            return False
        return True
