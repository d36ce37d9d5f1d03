"""The conversation history: SQLite through sqlite-utils, no Qt.

`History` is the entry point (one per thread); `ReplyWriter` writes a streaming reply;
`DocumentStore` keeps summarized documents; `exchange` exports and imports conversations.
See DESIGN.md for the rules they follow.
"""

from __future__ import annotations

from app.store import sqlite_import  # noqa: F401 (first: sqlite-utils without numpy)
from app.store.database import open_database
from app.store.documents import (
    DocumentStatus,
    DocumentStore,
    StoredDocument,
    SummaryPart,
)
from app.store.exchange import export_json, export_markdown, import_json
from app.store.history import History
from app.store.migrations import MIGRATIONS
from app.store.models import (
    FINAL_STATUSES,
    Conversation,
    ConversationKind,
    Message,
    MessageStatus,
    Role,
    SearchHit,
)
from app.store.reply_writer import ReplyWriter

__all__ = [
    "FINAL_STATUSES",
    "MIGRATIONS",
    "Conversation",
    "ConversationKind",
    "DocumentStatus",
    "DocumentStore",
    "History",
    "Message",
    "MessageStatus",
    "ReplyWriter",
    "Role",
    "SearchHit",
    "StoredDocument",
    "SummaryPart",
    "export_json",
    "export_markdown",
    "import_json",
    "open_database",
]
