"""Adding documents in store tests: chunks of given texts and a document with fixed fields."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from app.documents.model import Chunk
from app.store import DocumentStore


def chunks_of(*texts: str) -> list[Chunk]:
    return [Chunk(index, text, 10, None, None, ()) for index, text in enumerate(texts)]


def add(
    store: DocumentStore,
    cid: int,
    chunks: Sequence[Chunk] = (),
    *,
    sha256: str = "aa" * 32,
    job_key: str = "brief|default|qwen|8192",
) -> int:
    return store.add_document(
        cid,
        path=Path("/home/me/report.pdf"),
        kind="pdf",
        title="Annual report",
        size_bytes=1234,
        sha256=sha256,
        page_count=12,
        chunk_budget=900,
        job_key=job_key,
        chunks=chunks,
    )
