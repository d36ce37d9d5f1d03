"""Between SQLite rows and the store's values.

JSON columns (`sampling`, `stats`) are encoded here and nowhere else, and inserts go
through here so `History` and the importer write rows the same way.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from sqlite_utils import Database

from app.errors import InvalidInputError
from app.store.models import Conversation, ConversationKind, Message, MessageStatus, Role

MESSAGE_COLUMNS = (
    "id, conversation_id, parent_id, role, content, status, created_at, updated_at, model, "
    "stats, error"
)
CONVERSATION_COLUMNS = (
    "id, title, created_at, updated_at, model, system_prompt, sampling, pinned, deleted_at, "
    "active_leaf_id, kind"
)


def encode_json(value: Mapping[str, Any] | None, what: str) -> str | None:
    """`value` as JSON text (None stays None); InvalidInputError if it is not JSON data."""
    if value is None:
        return None
    if not isinstance(value, Mapping):
        raise InvalidInputError(f"The {what} must be a JSON object, not {type(value).__name__}.")
    try:
        return json.dumps(dict(value), ensure_ascii=False)
    except (TypeError, ValueError) as exc:
        raise InvalidInputError(f"The {what} cannot be saved as JSON: {exc}.") from None


def _decode_object(text: str | None) -> dict[str, Any] | None:
    if text is None:
        return None
    value = json.loads(text)
    return value if isinstance(value, dict) else None


def conversation_from_row(row: Mapping[str, Any]) -> Conversation:
    return Conversation(
        id=row["id"],
        title=row["title"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        model=row["model"],
        system_prompt=row["system_prompt"],
        sampling=_decode_object(row["sampling"]) or {},
        pinned=bool(row["pinned"]),
        deleted_at=row["deleted_at"],
        active_leaf_id=row["active_leaf_id"],
        kind=ConversationKind(row["kind"]),
    )


def message_from_row(row: Mapping[str, Any]) -> Message:
    return Message(
        id=row["id"],
        conversation_id=row["conversation_id"],
        parent_id=row["parent_id"],
        role=Role(row["role"]),
        content=row["content"],
        status=MessageStatus(row["status"]),
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        model=row["model"],
        stats=_decode_object(row["stats"]),
        error=row["error"],
    )


def insert_row(db: Database, table: str, values: Mapping[str, Any]) -> int:
    """Insert `values` (already encoded) into `table` and return the new row's id."""
    inserted = db.table(table).insert(dict(values))
    assert inserted.last_pk is not None  # every table here has an INTEGER primary key
    return int(inserted.last_pk)


def update_row(db: Database, table: str, row_id: int, values: Mapping[str, Any]) -> bool:
    """Set the given columns of one row; False when the row does not exist."""
    if not values:
        return bool(db.execute(f"SELECT 1 FROM {table} WHERE id = ?", [row_id]).fetchone())
    assignments = ", ".join(f"{column} = ?" for column in values)
    cursor = db.execute(
        f"UPDATE {table} SET {assignments} WHERE id = ?", [*values.values(), row_id]
    )
    return cursor.rowcount == 1
