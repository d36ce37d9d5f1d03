"""Reading the message tree of a conversation.

Edits and regenerations never overwrite: they add a sibling. The conversation a user sees
is one root-to-leaf path; these queries walk the tree in SQL (recursive CTEs) so a long
conversation costs one query, not one per message.

Ordering by id is creation order, and a parent always has a smaller id than its children:
a parent must exist when its child is inserted and SQLite only hands out ids above the
current maximum.
"""

from __future__ import annotations

from sqlite_utils import Database

from app.store.models import Message
from app.store.rows import MESSAGE_COLUMNS, message_from_row

_PATH_TO = f"""
WITH RECURSIVE up(id, depth) AS (
    SELECT id, 0 FROM messages WHERE id = :id
    UNION ALL
    SELECT m.parent_id, up.depth + 1 FROM messages AS m JOIN up ON m.id = up.id
    WHERE m.parent_id IS NOT NULL
)
SELECT {MESSAGE_COLUMNS} FROM messages JOIN up USING (id) ORDER BY up.depth DESC
"""

_LATEST_LEAF = """
WITH RECURSIVE down(id) AS (
    SELECT id FROM messages WHERE id = :id
    UNION ALL
    SELECT m.id FROM messages AS m JOIN down ON m.parent_id = down.id
)
SELECT MAX(id) FROM down
WHERE NOT EXISTS (SELECT 1 FROM messages AS c WHERE c.parent_id = down.id)
"""

_LEAF_COUNT = """
SELECT COUNT(*) FROM messages AS m WHERE m.conversation_id = ?
AND NOT EXISTS (SELECT 1 FROM messages AS c WHERE c.parent_id = m.id)
"""


def path_to(db: Database, message_id: int) -> list[Message]:
    """The messages from the root down to `message_id` ([] if it does not exist)."""
    return [message_from_row(row) for row in db.query(_PATH_TO, {"id": message_id})]


def children(db: Database, message_id: int) -> list[Message]:
    """Direct replies to `message_id`, oldest first (the branches at this point)."""
    sql = f"SELECT {MESSAGE_COLUMNS} FROM messages WHERE parent_id = ? ORDER BY id"
    return [message_from_row(row) for row in db.query(sql, [message_id])]


def roots(db: Database, conversation_id: int) -> list[Message]:
    """Messages without a parent, oldest first (several if the first message was edited)."""
    sql = (
        f"SELECT {MESSAGE_COLUMNS} FROM messages "
        "WHERE conversation_id = ? AND parent_id IS NULL ORDER BY id"
    )
    return [message_from_row(row) for row in db.query(sql, [conversation_id])]


def all_messages(db: Database, conversation_id: int) -> list[Message]:
    """Every message of every branch, parents before children."""
    sql = f"SELECT {MESSAGE_COLUMNS} FROM messages WHERE conversation_id = ? ORDER BY id"
    return [message_from_row(row) for row in db.query(sql, [conversation_id])]


def sibling_groups(db: Database, conversation_id: int) -> dict[int | None, list[int]]:
    """Message ids by parent (None: the roots), oldest first: the branch points, in one
    query of ids only (a long conversation's texts are not read for this)."""
    sql = "SELECT id, parent_id FROM messages WHERE conversation_id = ? ORDER BY id"
    groups: dict[int | None, list[int]] = {}
    for message_id, parent_id in db.execute(sql, [conversation_id]).fetchall():
        groups.setdefault(parent_id, []).append(message_id)
    return groups


def latest_leaf(db: Database, message_id: int) -> int | None:
    """The newest leaf at or below `message_id`: where to land when switching branch."""
    row = db.execute(_LATEST_LEAF, {"id": message_id}).fetchone()
    return None if row is None or row[0] is None else int(row[0])


def leaf_count(db: Database, conversation_id: int) -> int:
    """How many branches (root-to-leaf paths) the conversation has."""
    return int(db.execute(_LEAF_COUNT, [conversation_id]).fetchone()[0])
