"""The conversation history: the API the rest of Hearth uses to read and write it.

One `History` per thread: it owns a SQLite connection, and sqlite-utils (like sqlite3)
refuses to use a connection from another thread. WAL mode lets each thread's connection
read while another writes.

Every write commits at once (or, when it touches several rows, in one transaction), so a
crash never loses more than the write in progress. Only message activity moves a
conversation's `updated_at`: renaming or pinning does not reorder the list.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from types import EllipsisType, TracebackType
from typing import Any

from sqlite_utils import Database

from app.errors import InvalidInputError, NotFoundError
from app.store import tree
from app.store.database import open_database
from app.store.failures import translate_sqlite_failures
from app.store.models import (
    Conversation,
    ConversationKind,
    Message,
    Role,
    SearchHit,
    parse_role,
    parse_status,
)
from app.store.rows import (
    CONVERSATION_COLUMNS,
    MESSAGE_COLUMNS,
    conversation_from_row,
    encode_json,
    insert_row,
    message_from_row,
    update_row,
)
from app.store.search import search_messages
from app.store.timestamps import utc_timestamp
from app.store.titles import title_from


class History:
    """Conversations and their message trees in one SQLite file (see module doc)."""

    def __init__(self, db: Database, *, now: Callable[[], str] = utc_timestamp) -> None:
        """Wrap an open database; `now` makes timestamps (tests pass a ticking fake)."""
        self._db = db
        self._now = now

    @classmethod
    def open(cls, path: Path, *, now: Callable[[], str] = utc_timestamp) -> History:
        """Open the history at `path` (see `open_database` for what can go wrong)."""
        return cls(open_database(path), now=now)

    def now(self) -> str:
        """A timestamp from this history's clock, for rows written by other store modules."""
        return self._now()

    @property
    def db(self) -> Database:
        """The connection, for other store modules (the importer); same-thread only."""
        return self._db

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> History:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # -- conversations -------------------------------------------------------------------

    @translate_sqlite_failures
    def create_conversation(
        self,
        *,
        title: str = "",
        model: str | None = None,
        system_prompt: str | None = None,
        sampling: Mapping[str, Any] | None = None,
        kind: ConversationKind = ConversationKind.CHAT,
    ) -> int:
        encoded_sampling = encode_json(sampling or {}, "sampling settings")
        now = self._now()
        values = {
            "title": title,
            "created_at": now,
            "updated_at": now,
            "model": model,
            "system_prompt": system_prompt,
            "sampling": encoded_sampling,
            "pinned": 0,
            "kind": ConversationKind(kind).value,
        }
        return insert_row(self._db, "conversations", values)

    @translate_sqlite_failures
    def get_conversation(self, cid: int) -> Conversation:
        sql = f"SELECT {CONVERSATION_COLUMNS} FROM conversations WHERE id = ?"
        for row in self._db.query(sql, [cid]):
            return conversation_from_row(row)
        raise NotFoundError(f"There is no conversation {cid}.")

    @translate_sqlite_failures
    def list_conversations(
        self, *, trash: bool = False, pinned_first: bool = False, limit: int | None = None
    ) -> list[Conversation]:
        """Conversations not in the trash, most recently active first (pinned ones before
        the rest with `pinned_first`); or, with `trash=True`, only those in the trash, most
        recently deleted first. `limit` reads only the first ones (a page of a list)."""
        where, order = (
            ("deleted_at IS NOT NULL", "deleted_at DESC")
            if trash
            else ("deleted_at IS NULL", "updated_at DESC")
        )
        if pinned_first:
            order = f"pinned DESC, {order}"
        sql = f"SELECT {CONVERSATION_COLUMNS} FROM conversations WHERE {where} ORDER BY {order}"
        rows = self._db.query(f"{sql}, id DESC LIMIT ?", [-1 if limit is None else limit])
        return [conversation_from_row(row) for row in rows]

    def rename(self, cid: int, title: str) -> None:
        self._set_conversation(cid, {"title": title})

    def set_pinned(self, cid: int, pinned: bool) -> None:
        self._set_conversation(cid, {"pinned": int(pinned)})

    def update_conversation(
        self,
        cid: int,
        *,
        model: str | EllipsisType | None = ...,
        system_prompt: str | EllipsisType | None = ...,
        sampling: Mapping[str, Any] | EllipsisType = ...,
    ) -> None:
        """Change only the settings passed (None clears model or system prompt)."""
        values: dict[str, Any] = {}
        if not isinstance(model, EllipsisType):
            values["model"] = model
        if not isinstance(system_prompt, EllipsisType):
            values["system_prompt"] = system_prompt
        if not isinstance(sampling, EllipsisType):
            values["sampling"] = encode_json(sampling, "sampling settings")
        self._set_conversation(cid, values)

    def delete(self, cid: int) -> None:
        """Move to the trash (nothing is removed; `restore` brings it back)."""
        if self.get_conversation(cid).deleted_at is None:
            self._set_conversation(cid, {"deleted_at": self._now()})

    def restore(self, cid: int) -> None:
        self._set_conversation(cid, {"deleted_at": None})

    @translate_sqlite_failures
    def purge(self, cid: int) -> None:
        """Remove a conversation in the trash for good, with its messages and documents
        (the schema cascades the delete)."""
        if self.get_conversation(cid).deleted_at is None:
            raise InvalidInputError(f"Conversation {cid} is not in the trash.")
        self._db.execute("DELETE FROM conversations WHERE id = ?", [cid])

    @translate_sqlite_failures
    def _set_conversation(self, cid: int, values: Mapping[str, Any]) -> None:
        if not update_row(self._db, "conversations", cid, values):
            raise NotFoundError(f"There is no conversation {cid}.")

    # -- messages ------------------------------------------------------------------------

    @translate_sqlite_failures
    def add_message(
        self,
        cid: int,
        role: str,
        content: str,
        *,
        parent_id: int | EllipsisType | None = ...,
        status: str = "complete",
        model: str | None = None,
        stats: Mapping[str, Any] | None = None,
        error: str | None = None,
        writer_pid: int | None = None,
    ) -> int:
        """Add a message under `parent_id` (default: the active leaf; None: a new root) and
        make it the active leaf. A first user message also names an untitled conversation."""
        checked_role, checked_status = parse_role(role), parse_status(status)
        encoded_stats = encode_json(stats, "stats")
        with self._db.atomic():
            conversation = self.get_conversation(cid)
            parent = (
                conversation.active_leaf_id if isinstance(parent_id, EllipsisType) else parent_id
            )
            self._require_in_conversation(cid, parent)
            now = self._now()
            values = {
                "conversation_id": cid,
                "parent_id": parent,
                "role": checked_role.value,
                "content": content,
                "status": checked_status.value,
                "created_at": now,
                "updated_at": now,
                "model": model,
                "stats": encoded_stats,
                "error": error,
                "writer_pid": writer_pid,
            }
            mid = insert_row(self._db, "messages", values)
            self._note_new_message(conversation, mid, checked_role, content, now)
        return mid

    def _note_new_message(
        self, conversation: Conversation, mid: int, role: Role, content: str, now: str
    ) -> None:
        """The new message becomes the active leaf; a first user message names the chat."""
        changes: dict[str, Any] = {"active_leaf_id": mid, "updated_at": now}
        if not conversation.title and role is Role.USER:
            changes["title"] = title_from(content)
        update_row(self._db, "conversations", conversation.id, changes)

    @translate_sqlite_failures
    def update_message(
        self,
        mid: int,
        *,
        content: str | None = None,
        status: str | None = None,
        stats: Mapping[str, Any] | None = None,
        error: str | None = None,
        writer_pid: int | None = None,
        clear_error: bool = False,
    ) -> None:
        """Change only the fields passed (None means "leave as is")."""
        values: dict[str, Any] = {"updated_at": self._now()}
        if clear_error:
            values["error"] = None
        if writer_pid is not None:
            values["writer_pid"] = writer_pid
        if content is not None:
            values["content"] = content
        if status is not None:
            values["status"] = parse_status(status).value
        if stats is not None:
            values["stats"] = encode_json(stats, "stats")
        if error is not None:
            values["error"] = error
        if not update_row(self._db, "messages", mid, values):
            raise NotFoundError(f"There is no message {mid}.")

    @translate_sqlite_failures
    def get_message(self, mid: int) -> Message:
        for row in self._db.query(f"SELECT {MESSAGE_COLUMNS} FROM messages WHERE id = ?", [mid]):
            return message_from_row(row)
        raise NotFoundError(f"There is no message {mid}.")

    @translate_sqlite_failures
    def path_to(self, mid: int) -> list[Message]:
        """The messages from the root down to `mid`, root first."""
        path = tree.path_to(self._db, mid)
        if not path:
            raise NotFoundError(f"There is no message {mid}.")
        return path

    def active_path(self, cid: int) -> list[Message]:
        """The branch the user sees: root to the active leaf ([] for an empty conversation)."""
        leaf = self.get_conversation(cid).active_leaf_id
        return [] if leaf is None else self.path_to(leaf)

    @translate_sqlite_failures
    def children(self, mid: int) -> list[Message]:
        """Replies to `mid`, oldest first; more than one means the conversation branches."""
        return tree.children(self._db, mid)

    @translate_sqlite_failures
    def roots(self, cid: int) -> list[Message]:
        return tree.roots(self._db, cid)

    @translate_sqlite_failures
    def all_messages(self, cid: int) -> list[Message]:
        """Every message of every branch, parents before children."""
        return tree.all_messages(self._db, cid)

    @translate_sqlite_failures
    def sibling_groups(self, cid: int) -> dict[int | None, list[int]]:
        """Message ids by parent id (None: the roots), oldest first."""
        return tree.sibling_groups(self._db, cid)

    @translate_sqlite_failures
    def latest_leaf(self, mid: int) -> int:
        """The newest leaf under `mid`: pass it to `set_active_leaf` to switch branch."""
        leaf = tree.latest_leaf(self._db, mid)
        if leaf is None:
            raise NotFoundError(f"There is no message {mid}.")
        return leaf

    @translate_sqlite_failures
    def branch_count(self, cid: int) -> int:
        """How many root-to-leaf paths the conversation has."""
        return tree.leaf_count(self._db, cid)

    def set_active_leaf(self, cid: int, mid: int) -> None:
        """Show the path ending at `mid` (any message of the conversation, leaf or not)."""
        self._require_in_conversation(cid, mid)
        self._set_conversation(cid, {"active_leaf_id": mid})

    def _require_in_conversation(self, cid: int, mid: int | None) -> None:
        """InvalidInputError unless `mid` is None or a message of conversation `cid`."""
        if mid is None:
            return
        row = self._db.execute("SELECT conversation_id FROM messages WHERE id = ?", [mid])
        found = row.fetchone()
        if found is None or found[0] != cid:
            raise InvalidInputError(f"Message {mid} is not part of conversation {cid}.")

    # -- search --------------------------------------------------------------------------

    @translate_sqlite_failures
    def search(self, query: str, *, limit: int = 50, prefix_last: bool = False) -> list[SearchHit]:
        """Messages containing every word of `query` (taken literally; with `prefix_last`
        the last word may be the start of a word), best match first; conversations in the
        trash are left out."""
        return search_messages(self._db, query, limit, prefix_last=prefix_last)
