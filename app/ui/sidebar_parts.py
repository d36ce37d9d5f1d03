"""Small pieces the conversation sidebar's parts share: named controls, lists, store calls."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QAbstractItemModel, QModelIndex, QObject, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QAbstractItemView,
    QBoxLayout,
    QLabel,
    QListView,
    QPushButton,
    QWidget,
)

from app.errors import HearthError
from app.ui.conversation_model import ConversationRole


def button(text: str, accessible_name: str) -> QPushButton:
    named = QPushButton(text)
    named.setAccessibleName(accessible_name)
    return named


def label(text: str, accessible_name: str) -> QLabel:
    named = QLabel(text)
    named.setTextFormat(Qt.TextFormat.PlainText)  # queries and titles are never markup
    named.setWordWrap(True)
    named.setAccessibleName(accessible_name)
    return named


def list_view(model: QAbstractItemModel, accessible_name: str) -> QListView:
    view = QListView()
    view.setModel(model)
    view.setAccessibleName(accessible_name)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)  # F2 is an action
    view.setUniformItemSizes(True)
    view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
    # Long titles end in "…" (the whole title is the tooltip), never in a sideways scroll.
    view.setTextElideMode(Qt.TextElideMode.ElideRight)
    view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    return view


def box(layout: QBoxLayout, *widgets: QWidget) -> QWidget:
    """A plain widget holding `widgets` in `layout` (a row or a column) without margins."""
    holder = QWidget()
    holder.setLayout(layout)
    layout.setContentsMargins(0, 0, 0, 0)
    for widget in widgets:
        layout.addWidget(widget)
    return holder


def view_action(owner: QObject, text: str, slot: Callable[[], object], view: QWidget) -> QAction:
    """An action of `view` (its context menu lists them); its shortcut works only there."""
    action = QAction(text, owner)
    action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
    action.triggered.connect(slot)
    view.addAction(action)
    return action


def selected_index(view: QListView) -> QModelIndex:
    rows = view.selectionModel().selectedRows()
    return rows[0] if rows else QModelIndex()


def selected_id(view: QListView) -> int | None:
    """The id of the conversation selected in `view` (a `ConversationListModel` view)."""
    value = selected_index(view).data(ConversationRole.ID)
    return None if value is None else int(value)


def attempt(change: Callable[[], object], report: Callable[[str], object]) -> bool:
    """Run a store call; a HearthError goes to `report` (its message for people) instead
    of up. Anything else is a bug and stays one."""
    try:
        change()
    except HearthError as exc:
        report(exc.message)
        return False
    return True
