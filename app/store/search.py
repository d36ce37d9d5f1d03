"""Full-text search over message contents (FTS5, kept in sync by triggers).

What people type is never FTS5 syntax: each word is wrapped in double quotes (inner quotes
doubled), so `"`, `*`, `AND`, `NEAR(` or a leading `-` are searched as text and can never
raise a syntax error. Words are ANDed, the way search boxes usually behave.
"""

from __future__ import annotations

from sqlite_utils import Database

from app.store.models import Role, SearchHit

SNIPPET_TOKENS = 12

_SEARCH = f"""
SELECT m.id, m.conversation_id, c.title, m.role,
       snippet(messages_fts, 0, '[', ']', '…', {SNIPPET_TOKENS}) AS snippet,
       messages_fts.rank AS rank
FROM messages_fts
JOIN messages AS m ON m.id = messages_fts.rowid
JOIN conversations AS c ON c.id = m.conversation_id
WHERE messages_fts MATCH :query AND c.deleted_at IS NULL
ORDER BY rank, m.id DESC
LIMIT :limit
"""


def quote_query(text: str) -> str:
    """`text` as an FTS5 query matching all its words literally ('' if it has none)."""
    return " ".join('"' + word.replace('"', '""') + '"' for word in text.split())


def search_messages(db: Database, text: str, limit: int) -> list[SearchHit]:
    """Messages of conversations not in the trash matching every word, best first."""
    query = quote_query(text)
    if not query or limit <= 0:
        return []
    rows = db.execute(_SEARCH, {"query": query, "limit": limit}).fetchall()
    return [
        SearchHit(
            conversation_id=cid,
            conversation_title=title,
            message_id=mid,
            role=Role(role),
            snippet=snippet,
            rank=float(rank),
        )
        for mid, cid, title, role, snippet, rank in rows
    ]
