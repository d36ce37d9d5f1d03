"""The sidebar beside the transcript: conversations, message search and the trash.

The lists are models over `History` (`ConversationListModel`, `SearchResultsModel`); this
widget arranges the parts (`ConversationSearch`, `TrashPage`, `UndoBar`), owns the
conversation list and its actions (Rename, Pin, Delete), and turns what the parts report
into its signals. Deleting is never final from the list: it moves a conversation to the
trash and offers Undo for a few seconds; only "Delete forever" in the trash removes it,
after a confirmation.
"""

from __future__ import annotations

import itertools
from functools import partial

from PySide6.QtCore import QPoint, Qt, Signal
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QListView, QMenu, QStackedWidget, QVBoxLayout, QWidget

from app.store import History
from app.ui.background_reads import BackgroundReads
from app.ui.conversation_model import ConversationListModel, ConversationRole
from app.ui.date_group_headers import DateGroupHeaders
from app.ui.icons import icon
from app.ui.sidebar_parts import (
    attempt,
    button,
    list_view,
    selected_id,
    selected_index,
    view_action,
)
from app.ui.sidebar_search import SEARCH_PLACEHOLDER as SEARCH_PLACEHOLDER
from app.ui.sidebar_search import ConversationSearch
from app.ui.trash_page import TrashPage
from app.ui.undo_bar import UndoBar


class ConversationSidebar(QWidget):
    """New conversation, search-as-you-type, the conversation list and the trash.

    `select_conversation()` never emits `conversation_selected`, so a window can call it
    from its handlers without loops. When the selected conversation leaves the list (moved
    to the trash, or gone at a `refresh()`), the list selects its neighbour, as any
    single-selection list does, and that one is announced with `conversation_selected`.

    The parts' widgets are also attributes of the sidebar (`search_field`, `results_view`,
    `trash_view`, `undo_button`, ...), under the names they have always had.

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
        reads: BackgroundReads,
        parent: QWidget | None = None,
        *,
        undo_timeout_ms: int = 8000,
        search_delay_ms: int = 150,
    ) -> None:
        super().__init__(parent)
        self.setAccessibleName("Conversation sidebar")
        self._history = history
        self._reads = reads  # searching every message happens off the UI thread
        self._announced_id: int | None = None  # the selection the window already knows
        self._build_parts(undo_timeout_ms, search_delay_ms)
        self._build_list()
        self._arrange()
        self._connect()
        self._update_actions()

    # -- construction -----------------------------------------------------------------------

    def _build_parts(self, undo_timeout_ms: int, search_delay_ms: int) -> None:
        self.search = ConversationSearch(self._reads, search_delay_ms, self)
        self.search_field = self.search.field
        self.search_page = self.search.page
        self.results_model = self.search.results_model
        self.results_delegate = self.search.results_delegate
        self.results_view = self.search.results_view
        self.no_results_label = self.search.no_results_label
        self.trash_page = TrashPage(self._history)
        self.trash_model = self.trash_page.model
        self.trash_view = self.trash_page.view
        self.trash_empty_label = self.trash_page.empty_label
        self.restore_button = self.trash_page.restore_button
        self.purge_button = self.trash_page.purge_button
        self.undo_bar = UndoBar(undo_timeout_ms)
        self.undo_label = self.undo_bar.message_label
        self.undo_button = self.undo_bar.undo_button

    def _build_list(self) -> None:
        self.new_button = button("New conversation", "New conversation")
        self.new_button.setIcon(icon("new"))
        self.conversation_model = ConversationListModel(self._history, parent=self)
        self.list_view = list_view(self.conversation_model, "Conversations")
        self.list_view.setUniformItemSizes(False)  # a group's first row is taller (its header)
        self.list_view.setItemDelegate(DateGroupHeaders(self.list_view))
        self.trash_toggle = button("Trash", "Show trash")
        self.trash_toggle.setIcon(icon("trash"))
        self.trash_toggle.setCheckable(True)
        self.rename_action = view_action(self, "Rename", self.rename_selected, self.list_view)
        self.rename_action.setShortcut(QKeySequence(Qt.Key.Key_F2))
        self.pin_action = view_action(self, "Pin", self.toggle_pin_selected, self.list_view)
        self.delete_action = view_action(self, "Delete", self.delete_selected, self.list_view)
        self.delete_action.setShortcut(QKeySequence(QKeySequence.StandardKey.Delete))

    def _arrange(self) -> None:
        self.stack = QStackedWidget()
        for page in (self.list_view, self.trash_page, self.search_page):
            self.stack.addWidget(page)
        layout = QVBoxLayout(self)
        for widget in (self.new_button, self.search_field, self.stack, self.undo_bar):
            layout.addWidget(widget)
        layout.addWidget(self.trash_toggle)
        order: list[QWidget] = [self.new_button, self.search_field, self.list_view]
        order += [self.trash_view, self.restore_button, self.purge_button, self.results_view]
        order += [self.undo_button, self.trash_toggle]
        for first, second in itertools.pairwise(order):
            QWidget.setTabOrder(first, second)

    def _connect(self) -> None:
        self.new_button.clicked.connect(self.new_conversation_requested)
        self.list_view.selectionModel().selectionChanged.connect(self._on_list_selection)
        for view in (self.list_view, self.trash_view):
            view.customContextMenuRequested.connect(partial(self._show_menu, view))
        self.conversation_model.renamed.connect(self.conversation_renamed)
        self.conversation_model.write_failed.connect(self.action_failed)
        self.conversation_model.rowsRemoved.connect(self._update_actions)
        self.search.results_shown.connect(lambda: self.stack.setCurrentWidget(self.search_page))
        self.search.search_cleared.connect(self._show_base_page)
        self.search.hit_activated.connect(self.search_hit_activated)
        self.search.list_focus_requested.connect(self._focus_shown_list)
        self.search.search_failed.connect(self.action_failed)
        self.trash_page.conversation_restored.connect(self._on_restored)
        self.trash_page.conversation_purged.connect(self._on_purged)
        self.trash_page.action_failed.connect(self.action_failed)
        self.undo_bar.undo_requested.connect(self._undo_delete)
        self.trash_toggle.toggled.connect(self._on_trash_toggled)

    # -- the conversation list --------------------------------------------------------------

    def refresh(self) -> None:
        """Re-read conversations, the trash and (if one is shown) the search results."""
        self.conversation_model.refresh()
        self.trash_page.refresh()
        if self.search.query():
            self.run_search()
        self._update_actions()

    def current_conversation_id(self) -> int | None:
        """The conversation selected in the list, if any."""
        return selected_id(self.list_view)

    def select_conversation(self, cid: int) -> bool:
        """Select `cid` in the list (leaving the trash); False if it is not listed."""
        index = self.conversation_model.index_of(cid)
        if not index.isValid():  # new, or further down than the rows read so far
            self.conversation_model.refresh(including=cid)
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
        index = selected_index(self.list_view)
        if index.isValid() and self.stack.currentWidget() is self.list_view:
            self.list_view.edit(index)

    def toggle_pin_selected(self) -> None:
        cid = self.current_conversation_id()
        if cid is None:
            return
        pinned = bool(selected_index(self.list_view).data(ConversationRole.PINNED))
        if attempt(lambda: self._history.set_pinned(cid, not pinned), self.action_failed.emit):
            self.conversation_model.refresh()
            self.list_view.scrollTo(selected_index(self.list_view))
            self._update_actions()

    def delete_selected(self) -> None:
        """Move the selected conversation to the trash and offer Undo."""
        cid = self.current_conversation_id()
        if cid is None or not attempt(lambda: self._history.delete(cid), self.action_failed.emit):
            return
        self.refresh()
        self.undo_bar.offer(cid)
        self.conversation_deleted.emit(cid)

    def _undo_delete(self, cid: int) -> None:
        """Bring back the conversation the undo bar was about."""
        if attempt(lambda: self._history.restore(cid), self.action_failed.emit):
            self.refresh()
            self.conversation_restored.emit(cid)

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

    def _update_actions(self) -> None:
        index = selected_index(self.list_view)
        for action in (self.rename_action, self.pin_action, self.delete_action):
            action.setEnabled(index.isValid())
        self.pin_action.setText("Unpin" if index.data(ConversationRole.PINNED) else "Pin")
        self.trash_page.update_actions()

    # -- the trash ---------------------------------------------------------------------------

    def _on_restored(self, cid: int) -> None:
        self.undo_bar.dismiss_for(cid)
        self.refresh()
        self.conversation_restored.emit(cid)

    def _on_purged(self, cid: int) -> None:
        self.undo_bar.dismiss_for(cid)
        self.refresh()
        self.conversation_purged.emit(cid)

    def _on_trash_toggled(self, shown: bool) -> None:
        self.trash_toggle.setText("Back to conversations" if shown else "Trash")
        if shown:
            self.search_field.clear()
            self.trash_page.refresh()
        self._show_base_page()
        self._update_actions()

    # -- search ------------------------------------------------------------------------------

    def focus_search(self) -> None:
        self.search.focus()

    def run_search(self) -> None:
        """Search messages for the field's text now (typing waits for a pause first)."""
        self.search.run()

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
