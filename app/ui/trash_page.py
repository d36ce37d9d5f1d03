"""The sidebar's trash: conversations moved there, Restore, and Delete forever.

Nothing leaves the trash by accident: "Delete forever" asks first, with Cancel as the
default answer.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QHBoxLayout, QMessageBox, QVBoxLayout, QWidget

from app.store import History
from app.ui.conversation_model import ConversationListModel
from app.ui.sidebar_parts import (
    attempt,
    box,
    button,
    label,
    list_view,
    selected_id,
    selected_index,
    view_action,
)

TRASH_EMPTY_TEXT = "The trash is empty."


class TrashPage(QWidget):
    """The conversations in the trash, with Restore and Delete forever (buttons, context
    menu, and the Delete key for the latter).

    Signals:
        conversation_restored(int): a conversation came back from the trash.
        conversation_purged(int): a conversation was deleted forever.
        action_failed(str): the store refused a change; the text is for people.
    """

    conversation_restored = Signal(int)
    conversation_purged = Signal(int)
    action_failed = Signal(str)

    def __init__(self, history: History, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._history = history
        self.model = ConversationListModel(history, trash=True, parent=self)
        self.view = list_view(self.model, "Trash")
        self.empty_label = label(TRASH_EMPTY_TEXT, "Trash is empty")
        self.restore_button = button("Restore", "Restore conversation")
        self.purge_button = button("Delete forever", "Delete conversation forever")
        self.restore_action = view_action(self, "Restore", self.restore_selected, self.view)
        self.purge_action = view_action(self, "Delete forever", self.purge_selected, self.view)
        self.purge_action.setShortcut(QKeySequence(QKeySequence.StandardKey.Delete))
        buttons = box(QHBoxLayout(), self.restore_button, self.purge_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        for widget in (self.view, self.empty_label, buttons):
            layout.addWidget(widget)
        self.view.selectionModel().selectionChanged.connect(self.update_actions)
        self.restore_button.clicked.connect(self.restore_selected)
        self.purge_button.clicked.connect(self.purge_selected)
        self.update_actions()

    def refresh(self) -> None:
        """Re-read the trash."""
        self.model.refresh()
        self.update_actions()

    def restore_selected(self) -> None:
        cid = selected_id(self.view)
        if cid is not None and attempt(lambda: self._history.restore(cid), self.action_failed.emit):
            self.conversation_restored.emit(cid)

    def purge_selected(self) -> None:
        """Delete the selected conversation forever, once the user agrees."""
        cid = selected_id(self.view)
        if cid is None or not self.confirm_purge(str(selected_index(self.view).data())):
            return
        if attempt(lambda: self._history.purge(cid), self.action_failed.emit):
            self.conversation_purged.emit(cid)

    def confirm_purge(self, title: str) -> bool:
        """Ask before deleting forever (a modal box; Cancel is the default)."""
        question = QMessageBox(self)
        question.setIcon(QMessageBox.Icon.Warning)
        question.setWindowTitle("Delete forever?")
        question.setTextFormat(Qt.TextFormat.PlainText)
        question.setText(f"Delete “{title}” forever? This cannot be undone.")
        purge = question.addButton("Delete forever", QMessageBox.ButtonRole.DestructiveRole)
        cancel = question.addButton(QMessageBox.StandardButton.Cancel)
        question.setDefaultButton(cancel)
        question.setEscapeButton(cancel)
        question.exec()
        agreed = question.clickedButton() is purge
        question.deleteLater()
        return agreed

    def update_actions(self) -> None:
        """Restore and Delete forever need a selection; an empty trash says so."""
        chosen = selected_index(self.view).isValid()
        for control in (self.restore_action, self.purge_action):
            control.setEnabled(chosen)
        self.restore_button.setEnabled(chosen)
        self.purge_button.setEnabled(chosen)
        empty = self.model.rowCount() == 0
        self.empty_label.setVisible(empty)
        self.view.setVisible(not empty)
