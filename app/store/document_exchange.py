"""A conversation's documents in its JSON file (format version 2): export and insert.

Documents travel with their conversation so that follow-up questions keep working after an
import: the document's record, its chunks (indexed for full-text search by the triggers as
they go in) and its saved summary parts (so an unfinished summary can still resume). One
entry of the file's "documents" list:

    {"path": str, "name": str, "kind": str, "title": str, "size_bytes": int,
     "sha256": str, "page_count": int | null, "chunk_budget": int, "job_key": str,
     "status": "summarizing" | "done" | "stopped" | "failed" | "interrupted",
     "error": str | null, "added_at": str, "updated_at": str,
     "chunks": [{"index": int, "text": str, "tokens": int, "first_page": int | null,
                 "last_page": int | null, "sections": [str, ...]}, ...],
     "summary_parts": [{"level": int, "index": int, "first_chunk": int,
                        "last_chunk": int, "text": str, "created_at": str}, ...]}

Checking happens in import_validation before anything is written; here, only rows.
"""

from __future__ import annotations

from typing import Any

from sqlite_utils import Database

from app.documents.model import Chunk
from app.store.documents import DocumentStore, StoredDocument, insert_chunks
from app.store.history import History
from app.store.import_validation import ImportedDocument, ImportedPart
from app.store.models import DocumentStatus
from app.store.rows import insert_row

_PART_KEYS = ("level", "index", "first_chunk", "last_chunk", "text", "created_at")


def documents_json(history: History, cid: int) -> list[dict[str, Any]]:
    """The conversation's documents with their chunks and summary parts, oldest first."""
    store = DocumentStore(history)
    return [_document_json(store, history.db, d) for d in store.for_conversation(cid)]


def _document_json(store: DocumentStore, db: Database, document: StoredDocument) -> dict[str, Any]:
    return {
        "path": str(document.path),
        "name": document.name,
        "kind": document.kind,
        "title": document.title,
        "size_bytes": document.size_bytes,
        "sha256": document.sha256,
        "page_count": document.page_count,
        "chunk_budget": document.chunk_budget,
        "job_key": document.job_key,
        "status": document.status.value,
        "error": document.error,
        "added_at": document.added_at,
        "updated_at": document.updated_at,
        "chunks": [_chunk_json(chunk) for chunk in store.chunks(document.id)],
        "summary_parts": _parts_json(db, document.id),
    }


def _chunk_json(chunk: Chunk) -> dict[str, Any]:
    return {
        "index": chunk.index,
        "text": chunk.text,
        "tokens": chunk.tokens,
        "first_page": chunk.first_page,
        "last_page": chunk.last_page,
        "sections": list(chunk.sections),
    }


def _parts_json(db: Database, document_id: int) -> list[dict[str, Any]]:
    """Saved parts with the time each was made (which `DocumentStore.parts` leaves out)."""
    rows = db.execute(
        "SELECT level, idx, first_chunk, last_chunk, text, created_at FROM summary_parts "
        "WHERE document_id = ? ORDER BY level, idx",
        [document_id],
    ).fetchall()
    return [dict(zip(_PART_KEYS, row, strict=True)) for row in rows]


def insert_documents(
    db: Database, cid: int, documents: tuple[ImportedDocument, ...], now: str
) -> None:
    """Add checked documents to conversation `cid` (the caller holds the transaction)."""
    for document in documents:
        document_id = insert_row(db, "documents", _document_row(document, cid, now))
        insert_chunks(db, document_id, document.chunks)
        made = document.updated_at or now  # for parts from a file that has no times
        db.conn.executemany(
            "INSERT INTO summary_parts (document_id, level, idx, first_chunk, last_chunk, "
            "text, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            [_part_row(document_id, part, made) for part in document.parts],
        )


def _part_row(document_id: int, part: ImportedPart, made: str) -> tuple[Any, ...]:
    span = (part.first_chunk, part.last_chunk)
    return (document_id, part.level, part.index, *span, part.text, part.created_at or made)


def _document_row(document: ImportedDocument, cid: int, now: str) -> dict[str, Any]:
    status = document.status
    if status is DocumentStatus.SUMMARIZING:
        # Nothing in this database is writing it: it resumes like one a crash stopped.
        status = DocumentStatus.INTERRUPTED
    return {
        "conversation_id": cid,
        "path": document.path,
        "name": document.name,
        "kind": document.kind,
        "title": document.title,
        "size_bytes": document.size_bytes,
        "sha256": document.sha256,
        "page_count": document.page_count,
        "chunk_budget": document.chunk_budget,
        "job_key": document.job_key,
        "status": status.value,
        "error": document.error,
        "added_at": document.added_at or now,
        "updated_at": document.updated_at or now,
        "writer_pid": None,
    }
