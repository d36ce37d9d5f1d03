"""Summarized documents: the file's record, its chunks and the saved summary parts.

A summary is built from many small model calls (map, then merge levels), and a job can be
stopped and resumed later: every finished part is saved the moment it is done, keyed by
(level, index), and `job_key` says which settings made them, so a resume redoes nothing.
Follow-up questions are answered from the chunks of one document, found with FTS5/BM25.
Everything belongs to a conversation: purging it removes its documents (ON DELETE CASCADE).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from app.documents.model import Chunk
from app.errors import InvalidInputError, NotFoundError
from app.store.failures import translate_sqlite_failures
from app.store.history import History
from app.store.models import DocumentStatus
from app.store.rows import insert_row, update_row
from app.store.search import question_query

__all__ = ["DocumentStatus", "DocumentStore", "StoredDocument", "SummaryPart"]


@dataclass(frozen=True)
class StoredDocument:
    """A document attached to a conversation; `job_key` names the summary settings."""

    id: int
    conversation_id: int
    path: Path
    name: str
    kind: str
    title: str
    size_bytes: int
    sha256: str
    page_count: int | None
    chunk_budget: int  # the token budget the chunks were made for
    job_key: str
    status: DocumentStatus
    error: str | None
    added_at: str
    updated_at: str


@dataclass(frozen=True)
class SummaryPart:
    """A finished summary of chunks `first_chunk..last_chunk` (level 0: one map call)."""

    level: int
    index: int
    first_chunk: int
    last_chunk: int
    text: str


_DOCUMENT_COLUMNS = (
    "d.id, d.conversation_id, d.path, d.name, d.kind, d.title, d.size_bytes, d.sha256, "
    "d.page_count, d.chunk_budget, d.job_key, d.status, d.error, d.added_at, d.updated_at"
)
_CHUNKS = "SELECT c.idx, c.text, c.tokens, c.first_page, c.last_page, c.sections FROM "
_IN_ORDER = _CHUNKS + "document_chunks AS c WHERE c.document_id = ? ORDER BY c.idx LIMIT ?"
_BEST_FIRST = _CHUNKS + (
    "document_chunks_fts JOIN document_chunks AS c ON c.id = document_chunks_fts.rowid "
    "WHERE document_chunks_fts MATCH ? AND c.document_id = ? "
    "ORDER BY document_chunks_fts.rank, c.idx LIMIT ?"
)


def _document_from_row(row: Mapping[str, Any]) -> StoredDocument:
    values = dict(row)
    values["path"] = Path(values["path"])
    values["status"] = DocumentStatus(values["status"])
    return StoredDocument(**values)


def _chunk_row(document_id: int, chunk: Chunk) -> tuple[Any, ...]:
    sections = json.dumps(list(chunk.sections), ensure_ascii=False)
    pages = (chunk.first_page, chunk.last_page)
    return (document_id, chunk.index, chunk.text, chunk.tokens, *pages, sections)


def insert_chunks(db: Database, document_id: int, chunks: Iterable[Chunk]) -> None:
    """Add chunks to a document (the caller holds the transaction); FTS triggers index
    their text, so follow-up questions find them."""
    db.conn.executemany(
        "INSERT INTO document_chunks (document_id, idx, text, tokens, first_page, "
        "last_page, sections) VALUES (?, ?, ?, ?, ?, ?, ?)",
        [_chunk_row(document_id, chunk) for chunk in chunks],
    )


def _chunk_from_row(row: Sequence[Any]) -> Chunk:
    index, text, tokens, first_page, last_page, sections = row
    return Chunk(index, text, tokens, first_page, last_page, tuple(json.loads(sections)))


class DocumentStore:
    """Documents, chunks and summary parts in the history's database (same thread)."""

    def __init__(self, history: History) -> None:
        self._history = history
        self._db = history.db

    @translate_sqlite_failures
    def add_document(
        self,
        conversation_id: int,
        *,
        path: Path,
        kind: str,
        title: str,
        size_bytes: int,
        sha256: str,
        page_count: int | None,
        chunk_budget: int,
        job_key: str,
        chunks: Iterable[Chunk],
        status: DocumentStatus = DocumentStatus.SUMMARIZING,
    ) -> int:
        """Attach a document and its chunks to a conversation (one transaction); its
        status starts as "summarizing" (by this process), or as given (e.g. an e-mail
        attached to the reply drafted to it is "done": nothing is left to do)."""
        with self._db.atomic():
            self._history.get_conversation(conversation_id)  # NotFoundError if missing
            now = self._history.now()
            values = {
                "conversation_id": conversation_id,
                "path": str(path),
                "name": path.name,
                "kind": kind,
                "title": title,
                "size_bytes": size_bytes,
                "sha256": sha256,
                "page_count": page_count,
                "chunk_budget": chunk_budget,
                "job_key": job_key,
                "status": DocumentStatus(status).value,
                "writer_pid": os.getpid() if status is DocumentStatus.SUMMARIZING else None,
                "added_at": now,
                "updated_at": now,
            }
            document_id = insert_row(self._db, "documents", values)
            insert_chunks(self._db, document_id, chunks)
        return document_id

    @translate_sqlite_failures
    def get(self, document_id: int) -> StoredDocument:
        sql = f"SELECT {_DOCUMENT_COLUMNS} FROM documents AS d WHERE id = ?"
        for row in self._db.query(sql, [document_id]):
            return _document_from_row(row)
        raise NotFoundError(f"There is no document {document_id}.")

    @translate_sqlite_failures
    def for_conversation(self, conversation_id: int) -> list[StoredDocument]:
        """The conversation's documents, oldest first."""
        sql = f"SELECT {_DOCUMENT_COLUMNS} FROM documents AS d WHERE conversation_id = ?"
        sql += " ORDER BY id"
        return [_document_from_row(row) for row in self._db.query(sql, [conversation_id])]

    @translate_sqlite_failures
    def find_resumable(self, sha256: str, job_key: str) -> StoredDocument | None:
        """The latest unfinished summary (stopped, failed, interrupted or still marked
        summarizing) of the same file with the same settings, unless its conversation is in
        the trash."""
        sql = f"""
            SELECT {_DOCUMENT_COLUMNS}
            FROM documents AS d JOIN conversations AS c ON c.id = d.conversation_id
            WHERE d.sha256 = ? AND d.job_key = ? AND d.status != ? AND c.deleted_at IS NULL
            ORDER BY d.updated_at DESC, d.id DESC LIMIT 1
        """
        for row in self._db.query(sql, [sha256, job_key, DocumentStatus.DONE.value]):
            return _document_from_row(row)
        return None

    @translate_sqlite_failures
    def set_status(self, document_id: int, status: str, error: str | None = None) -> None:
        """Set the status and the error (None clears it). Summarizing records this process
        as the writer, so a crash mid-summary is noticed at the next open (recovery.py)."""
        try:
            checked = DocumentStatus(status)
        except ValueError:
            allowed = ", ".join(s.value for s in DocumentStatus)
            raise InvalidInputError(f"Unknown status {status!r}; use one of: {allowed}.") from None
        values: dict[str, Any] = {
            "status": checked.value,
            "error": error,
            "updated_at": self._history.now(),
        }
        if checked is DocumentStatus.SUMMARIZING:
            values["writer_pid"] = os.getpid()
        if not update_row(self._db, "documents", document_id, values):
            raise NotFoundError(f"There is no document {document_id}.")

    # -- chunks --------------------------------------------------------------------------

    @translate_sqlite_failures
    def chunks(self, document_id: int) -> list[Chunk]:
        """All chunks of the document in reading order ([] for an unknown document)."""
        rows = self._db.execute(_IN_ORDER, [document_id, -1]).fetchall()
        return [_chunk_from_row(row) for row in rows]

    @translate_sqlite_failures
    def search_chunks(self, document_id: int, question: str, limit: int = 4) -> list[Chunk]:
        """The document's chunks that best answer `question` (BM25, best first); with no
        telling word in the question, its first chunks in order."""
        if limit <= 0:
            return []
        query = question_query(question)
        if query:
            rows = self._db.execute(_BEST_FIRST, [query, document_id, limit])
        else:
            rows = self._db.execute(_IN_ORDER, [document_id, limit])
        return [_chunk_from_row(row) for row in rows.fetchall()]

    # -- summary parts -------------------------------------------------------------------

    @translate_sqlite_failures
    def save_part(
        self, document_id: int, level: int, index: int, first_chunk: int, last_chunk: int, text: str
    ) -> None:
        """Save (or replace) the part at (level, index) and commit it at once."""
        with self._db.atomic():
            now = self._history.now()
            if not update_row(self._db, "documents", document_id, {"updated_at": now}):
                raise NotFoundError(f"There is no document {document_id}.")
            self._db.execute(
                """INSERT INTO summary_parts
                       (document_id, level, idx, first_chunk, last_chunk, text, created_at)
                   VALUES (?, ?, ?, ?, ?, ?, ?)
                   ON CONFLICT (document_id, level, idx) DO UPDATE SET
                       first_chunk = excluded.first_chunk, last_chunk = excluded.last_chunk,
                       text = excluded.text, created_at = excluded.created_at""",
                [document_id, level, index, first_chunk, last_chunk, text, now],
            )

    @translate_sqlite_failures
    def parts(self, document_id: int) -> list[SummaryPart]:
        """Saved parts, by level then index."""
        rows = self._db.execute(
            "SELECT level, idx, first_chunk, last_chunk, text FROM summary_parts "
            "WHERE document_id = ? ORDER BY level, idx",
            [document_id],
        ).fetchall()
        return [SummaryPart(*row) for row in rows]

    @translate_sqlite_failures
    def clear_parts(self, document_id: int) -> None:
        """Forget every saved part (the next summary starts from scratch)."""
        self._db.execute("DELETE FROM summary_parts WHERE document_id = ?", [document_id])
