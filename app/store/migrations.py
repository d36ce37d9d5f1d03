"""The history schema, as a list of small named migrations.

Every open applies whatever is pending (`open_database`), so a schema change is a new
function appended here, never an edit of an old one. Rules: never delete user data; add
columns with defaults; and because `Table.transform()` drops the FTS triggers, any
migration that transforms `messages` must end with `index_message_text(db)` (not sqlite-utils'
`enable_fts`, which would drop the prefix index search as you type relies on).

Roles and statuses are checked in Python rather than with CHECK constraints, so adding a
status later is a code change and not a table rebuild.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlite_utils import Database, Migrations
from sqlite_utils.db import ForeignKey

MIGRATIONS = Migrations("hearth")

_KNOWN: list[str] = []

_MigrationFn = Callable[[Database], None]

SEARCH_PREFIXES = "2 3"  # FTS5 keeps a prefix index of the first 2 and 3 characters of words


def _migration(fn: _MigrationFn) -> _MigrationFn:
    """Register `fn` with MIGRATIONS and remember its name (see `known_migration_names`)."""
    _KNOWN.append(fn.__name__)
    MIGRATIONS()(fn)
    return fn


def known_migration_names() -> frozenset[str]:
    """Names this version knows; an applied name outside it means the file is newer."""
    return frozenset(_KNOWN)


@_migration
def m001_create_conversations(db: Database) -> None:
    db.table("conversations").create(
        {
            "id": int,
            "title": str,
            "created_at": str,
            "updated_at": str,
            "model": str,
            "system_prompt": str,
            "sampling": str,
            "pinned": int,
            "deleted_at": str,
            "active_leaf_id": int,
        },
        pk="id",
        not_null=["title", "created_at", "updated_at", "sampling", "pinned"],
        defaults={"title": "", "sampling": "{}", "pinned": 0},
    )


@_migration
def m002_create_messages(db: Database) -> None:
    messages = db.table("messages")
    messages.create(
        {
            "id": int,
            "conversation_id": int,
            "parent_id": int,
            "role": str,
            "content": str,
            "status": str,
            "created_at": str,
            "updated_at": str,
            "model": str,
            "stats": str,
            "error": str,
            "writer_pid": int,
        },
        pk="id",
        not_null=["conversation_id", "role", "content", "status", "created_at", "updated_at"],
        defaults={"content": "", "status": "complete"},
        foreign_keys=[
            ForeignKey("messages", "conversation_id", "conversations", "id", on_delete="CASCADE"),
            ForeignKey("messages", "parent_id", "messages", "id"),
        ],
    )
    messages.create_index(["conversation_id"])
    messages.create_index(["parent_id"])


@_migration
def m003_messages_fts(db: Database) -> None:
    db.table("messages").enable_fts(["content"], create_triggers=True)


@_migration
def m004_create_documents(db: Database) -> None:
    """Summarized documents, their chunks (searchable) and the saved summary parts.

    Everything hangs off a conversation with ON DELETE CASCADE, so purging a conversation
    removes its documents too (the FTS triggers fire for cascaded deletes); the trash,
    which only sets `deleted_at`, keeps them.
    """
    documents = db.table("documents")
    documents.create(
        {
            "id": int,
            "conversation_id": int,
            "path": str,
            "name": str,
            "kind": str,
            "title": str,
            "size_bytes": int,
            "sha256": str,
            "page_count": int,
            "chunk_budget": int,
            "job_key": str,
            "status": str,
            "error": str,
            "added_at": str,
            "updated_at": str,
        },
        pk="id",
        not_null=[
            "conversation_id",
            "path",
            "name",
            "kind",
            "title",
            "size_bytes",
            "sha256",
            "chunk_budget",
            "job_key",
            "status",
            "added_at",
            "updated_at",
        ],
        defaults={"title": "", "status": "summarizing"},
        foreign_keys=[
            ForeignKey("documents", "conversation_id", "conversations", "id", on_delete="CASCADE"),
        ],
    )
    documents.create_index(["conversation_id"])
    documents.create_index(["sha256", "job_key"])

    chunks = db.table("document_chunks")
    chunks.create(
        {
            "id": int,
            "document_id": int,
            "idx": int,
            "text": str,
            "tokens": int,
            "first_page": int,
            "last_page": int,
            "sections": str,
        },
        pk="id",
        not_null=["document_id", "idx", "text", "tokens", "sections"],
        defaults={"sections": "[]"},
        foreign_keys=[
            ForeignKey("document_chunks", "document_id", "documents", "id", on_delete="CASCADE"),
        ],
    )
    chunks.create_index(["document_id", "idx"], unique=True)
    chunks.enable_fts(["text"], create_triggers=True)

    parts = db.table("summary_parts")
    parts.create(
        {
            "id": int,
            "document_id": int,
            "level": int,
            "idx": int,
            "first_chunk": int,
            "last_chunk": int,
            "text": str,
            "created_at": str,
        },
        pk="id",
        not_null=["document_id", "level", "idx", "first_chunk", "last_chunk", "text", "created_at"],
        foreign_keys=[
            ForeignKey("summary_parts", "document_id", "documents", "id", on_delete="CASCADE"),
        ],
    )
    parts.create_index(["document_id", "level", "idx"], unique=True)


@_migration
def m005_documents_writer_pid(db: Database) -> None:
    """The pid of the process summarizing a document, so a summary left "summarizing" by a
    crash can be told from one still running (see recovery.py). Existing rows get NULL."""
    db.table("documents").add_column("writer_pid", int)


@_migration
def m006_conversation_kinds(db: Database) -> None:
    """What a conversation is: a chat, a document summary or an e-mail draft (see
    ConversationKind). Existing ones are chats, or summaries where a document was summarized
    into them."""
    db.table("conversations").add_column("kind", str, not_null_default="chat")
    db.execute(
        "UPDATE conversations SET kind = 'summary' WHERE id IN "
        "(SELECT conversation_id FROM documents WHERE job_key != '')"
    )


@_migration
def m007_index_streaming_messages(db: Database) -> None:
    """Every open looks for replies left "streaming" by a writer that died (recovery.py);
    without an index that reads every message, which took 0.4 s at a million of them. The
    index holds only the rows being written, so it costs nothing to keep."""
    db.execute(
        "CREATE INDEX idx_messages_streaming ON messages (status) WHERE status = 'streaming'"
    )


@_migration
def m008_prefix_search_index(db: Database) -> None:
    """Search as you type matches the start of the last word ("th" finds "the", "then",
    "there"...). Without a prefix index FTS5 merges the lists of every such word: seconds
    on a large history. Rebuilding the index reads every message once (about a minute for
    a million)."""
    index_message_text(db)


def index_message_text(db: Database) -> None:
    """(Re)create the full-text index of message contents and its triggers, then fill it.

    The same triggers as sqlite-utils' `enable_fts(..., create_triggers=True)`, so edits keep
    the index in sync; the table gains a prefix index (`SEARCH_PREFIXES`). Runs inside the
    caller's transaction (statement by statement: `executescript` would commit it).
    """
    for trigger in ("messages_ai", "messages_ad", "messages_au"):
        db.execute(f"DROP TRIGGER IF EXISTS {trigger}")
    db.execute("DROP TABLE IF EXISTS messages_fts")
    db.execute(
        'CREATE VIRTUAL TABLE messages_fts USING FTS5 (content, content="messages", '
        f"prefix='{SEARCH_PREFIXES}')"
    )
    db.execute("INSERT INTO messages_fts (messages_fts) VALUES ('rebuild')")
    for statement in _MESSAGE_TEXT_TRIGGERS:
        db.execute(statement)


_FTS_DELETE = (
    "INSERT INTO messages_fts (messages_fts, rowid, content) "
    "VALUES ('delete', old.rowid, old.content);"
)
_FTS_INSERT = "INSERT INTO messages_fts (rowid, content) VALUES (new.rowid, new.content);"
_MESSAGE_TEXT_TRIGGERS = (
    f"CREATE TRIGGER messages_ai AFTER INSERT ON messages BEGIN {_FTS_INSERT} END",
    f"CREATE TRIGGER messages_ad AFTER DELETE ON messages BEGIN {_FTS_DELETE} END",
    f"CREATE TRIGGER messages_au AFTER UPDATE ON messages BEGIN {_FTS_DELETE} {_FTS_INSERT} END",
)
