"""The conversation list as a Qt model over `History`.

`refresh()` re-reads the store and applies only the difference (rows removed, moved,
changed, inserted) instead of resetting the model, so a view keeps its selection and current
row by conversation id across refreshes.

The list is read a page at a time (`PAGE_SIZE` rows; the view asks for more as it scrolls,
through Qt's `canFetchMore`/`fetchMore`), so showing and refreshing it costs the same with
ten conversations or ten thousand. A row once loaded stays loaded while it is in the list,
even when it moves below the rows read so far (unpinned, say): a selection never vanishes.
"""

from __future__ import annotations

from enum import IntEnum
from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QFont

from app.date_groups import PINNED, date_group, local_now
from app.errors import HearthError, NotFoundError
from app.store import Conversation, ConversationKind, History
from app.ui.icons import icon

UNTITLED = "New conversation"
KIND_ICONS = {  # what each conversation is, at a glance in the list
    ConversationKind.CHAT: "chat",
    ConversationKind.SUMMARY: "document",
    ConversationKind.EMAIL: "email",
}
PAGE_SIZE = 200  # rows read at a time: many screens of the sidebar

_Index = QModelIndex | QPersistentModelIndex


class ConversationRole(IntEnum):
    """Extra data roles of `ConversationListModel` (beyond display and edit)."""

    ID = Qt.ItemDataRole.UserRole + 1
    PINNED = Qt.ItemDataRole.UserRole + 2
    UPDATED_AT = Qt.ItemDataRole.UserRole + 3
    DELETED_AT = Qt.ItemDataRole.UserRole + 4
    GROUP = Qt.ItemDataRole.UserRole + 5  # "Pinned", "Today", ... (app/date_groups.py)


class ConversationListModel(QAbstractListModel):
    """Conversations (or, with `trash=True`, those in the trash) as list rows.

    The edit role renames (an empty title is refused).

    Signals:
        renamed(int): a conversation was renamed through the edit role (its id).
        write_failed(str): renaming failed; the argument is the message for people.
    """

    renamed = Signal(int)
    write_failed = Signal(str)

    def __init__(
        self,
        history: History,
        *,
        trash: bool = False,
        parent: QObject | None = None,
        page_size: int | None = None,
    ) -> None:
        super().__init__(parent)
        self._history = history
        self._trash = trash
        self._page_size = page_size or PAGE_SIZE
        self._rows: list[Conversation] = []
        self._rows, self._more = self._read(self._page_size)

    @property
    def trash(self) -> bool:
        return self._trash

    # -- reading ----------------------------------------------------------------------------

    def rowCount(self, parent: _Index | None = None) -> int:  # noqa: N802 (Qt's name)
        return 0 if parent is not None and parent.isValid() else len(self._rows)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        conversation = self.conversation_at(index)
        if conversation is None:
            return None
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return conversation.title or UNTITLED
        if role == Qt.ItemDataRole.EditRole:
            return conversation.title
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"{conversation.title or UNTITLED} (pinned)" if conversation.pinned else None
        if role == Qt.ItemDataRole.DecorationRole:
            return icon(KIND_ICONS[conversation.kind])
        if role == Qt.ItemDataRole.FontRole and conversation.pinned:
            font = QFont()
            font.setBold(True)
            return font
        return self._extra_data(conversation, role)

    @staticmethod
    def _extra_data(conversation: Conversation, role: int) -> Any:
        if role == ConversationRole.GROUP:  # computed: it depends on today's date
            if conversation.pinned:
                return PINNED
            return date_group(conversation.updated_at, local_now())
        values: dict[int, Any] = {
            ConversationRole.ID: conversation.id,
            ConversationRole.PINNED: conversation.pinned,
            ConversationRole.UPDATED_AT: conversation.updated_at,
            ConversationRole.DELETED_AT: conversation.deleted_at,
        }
        return values.get(role)

    def flags(self, index: _Index) -> Qt.ItemFlag:
        flags = super().flags(index)
        if index.isValid() and not self._trash:
            flags |= Qt.ItemFlag.ItemIsEditable
        return flags

    def conversation_at(self, index: _Index) -> Conversation | None:
        if not index.isValid() or index.parent().isValid() or index.row() >= len(self._rows):
            return None
        return self._rows[index.row()]

    def row_of(self, cid: int) -> int | None:
        for row, conversation in enumerate(self._rows):
            if conversation.id == cid:
                return row
        return None

    def index_of(self, cid: int) -> QModelIndex:
        """The index of conversation `cid` (invalid if it is not listed)."""
        row = self.row_of(cid)
        return QModelIndex() if row is None else self.index(row, 0)

    # -- writing ----------------------------------------------------------------------------

    def setData(  # noqa: N802 (Qt's name)
        self, index: _Index, value: Any, role: int = Qt.ItemDataRole.EditRole
    ) -> bool:
        conversation = self.conversation_at(index)
        if conversation is None or role != Qt.ItemDataRole.EditRole or self._trash:
            return False
        title = str(value).strip()
        if not title:
            return False
        if title != conversation.title:
            try:
                self._history.rename(conversation.id, title)
            except HearthError as exc:
                self.write_failed.emit(exc.message)
                return False
            self.refresh()
            self.renamed.emit(conversation.id)
        return True

    # -- refreshing -------------------------------------------------------------------------

    def canFetchMore(self, parent: _Index | None = None) -> bool:  # noqa: N802 (Qt's name)
        return self._more and (parent is None or not parent.isValid())

    def fetchMore(self, parent: _Index | None = None) -> None:  # noqa: N802 (Qt's name)
        """Read the next page (views call this when scrolled to the end)."""
        if self.canFetchMore(parent):
            self._apply(len(self._rows) + self._page_size)

    def refresh(self, *, including: int | None = None) -> None:
        """Re-read from the history, keeping persistent indexes (selections) by id; rows
        already loaded stay loaded, and so does `including` if it is listed at all."""
        self._apply(max(len(self._rows), self._page_size), including)

    def _apply(self, count: int, including: int | None = None) -> None:
        fresh, self._more = self._read(count, including)
        fresh_ids = {c.id for c in fresh}
        self._remove_missing(fresh_ids)
        kept_ids = {c.id for c in self._rows}
        self._reorder([c for c in fresh if c.id in kept_ids])
        self._insert_new(fresh)

    def _read(self, count: int, including: int | None = None) -> tuple[list[Conversation], bool]:
        """The first `count` rows, or more: as many as it takes to include every loaded row
        and `including` that is still listed; and whether rows remain beyond them."""
        wanted = {c.id for c in self._rows} | ({including} if including is not None else set())
        limit = count
        while True:
            rows = self._history.list_conversations(
                trash=self._trash, pinned_first=not self._trash, limit=limit + 1
            )
            more = len(rows) > limit
            rows = rows[:limit]
            missing = wanted - {c.id for c in rows}
            if more and any(self._listed(cid) for cid in missing):
                limit *= 2  # a wanted row moved further down: read until it is in
                continue
            found = [row for row, c in enumerate(rows) if c.id in wanted]
            end = max(count, found[-1] + 1 if found else 0)
            return rows[:end], more or len(rows) > end

    def _listed(self, cid: int) -> bool:
        """Whether conversation `cid` belongs in this list (exists, in or out of the trash)."""
        try:
            return (self._history.get_conversation(cid).deleted_at is not None) == self._trash
        except NotFoundError:
            return False

    def _remove_missing(self, fresh_ids: set[int]) -> None:
        for row in reversed(range(len(self._rows))):
            if self._rows[row].id not in fresh_ids:
                self.beginRemoveRows(QModelIndex(), row, row)
                del self._rows[row]
                self.endRemoveRows()

    def _reorder(self, target: list[Conversation]) -> None:
        """Take `target` (the same conversations, maybe moved or changed) as the rows."""
        old = self._rows
        if [c.id for c in target] != [c.id for c in old]:
            self.layoutAboutToBeChanged.emit()
            new_rows = {c.id: row for row, c in enumerate(target)}
            self._rows = target
            moved_from = self.persistentIndexList()
            moved_to = [self.index(new_rows[old[i.row()].id], 0) for i in moved_from]
            self.changePersistentIndexList(moved_from, moved_to)
            self.layoutChanged.emit()
        self._rows = target
        previous = {c.id: c for c in old}
        for row, conversation in enumerate(target):
            if previous[conversation.id] != conversation:
                changed = self.index(row, 0)
                self.dataChanged.emit(changed, changed)

    def _insert_new(self, fresh: list[Conversation]) -> None:
        # Rows already present are in `fresh`'s relative order, so walking `fresh` and
        # inserting wherever the ids differ ends with exactly `fresh`.
        for row, conversation in enumerate(fresh):
            if row < len(self._rows) and self._rows[row].id == conversation.id:
                continue
            self.beginInsertRows(QModelIndex(), row, row)
            self._rows.insert(row, conversation)
            self.endInsertRows()
