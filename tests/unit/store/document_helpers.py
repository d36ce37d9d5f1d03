"""Adding documents in store tests: a stand-in chunk and a document with fixed fields."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from app.store import DocumentStore


@dataclass(frozen=True)
class Chunk:
    """Stands in for app.documents.chunking.Chunk (same attributes)."""

    index: int
    text: str
    tokens: int = 10
    first_page: int | None = None
    last_page: int | None = None
    sections: tuple[str, ...] = ()


def chunks_of(*texts: str) -> list[Chunk]:
    return [Chunk(index, text) for index, text in enumerate(texts)]


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
