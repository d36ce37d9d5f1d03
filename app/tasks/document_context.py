"""Follow-up questions about an attached document: the excerpts that answer them.

A summarized document stays attached to its conversation. For each new question the most
relevant chunks (FTS5/BM25 over that document's chunks) go into the system prompt, in
document order and labelled with their pages or sections, within the room the context has
left; the reply then names its sources, so every answer can be checked against the file.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from app.documents.model import Chunk
from app.store import DocumentStore, StoredDocument

CANDIDATES = 6  # chunks considered per question (the best that fit are used)
JOIN_TOKENS = 4  # the blank lines between the instruction and the excerpts
TextCounter = Callable[[Sequence[str]], list[int]]


@dataclass(frozen=True)
class Excerpt:
    document: StoredDocument
    chunk: Chunk
    text: str  # the chunk's text, cut short only when even the best one does not fit

    @property
    def source(self) -> str:
        return _source(self.document, self.chunk)


@dataclass(frozen=True)
class DocumentContext:
    """What goes into the system prompt, and the sources to name under the answer."""

    prompt: str
    excerpts: tuple[Excerpt, ...]

    def sources_line(self) -> str:
        seen = dict.fromkeys(excerpt.source for excerpt in self.excerpts)
        return "Sources: " + "; ".join(seen)


def document_context(
    store: DocumentStore,
    documents: Sequence[StoredDocument],
    question: str,
    budget_tokens: int,
    count_texts: TextCounter,
) -> DocumentContext | None:
    """The excerpts of `documents` (a conversation's) that answer `question` within
    `budget_tokens`, counted with the model's own tokenizer; None when there is no room."""
    candidates = [
        (document, chunk)
        for document in documents
        for chunk in store.search_chunks(document.id, question, limit=CANDIDATES)
    ]
    if not candidates:
        return None
    names = ", ".join(dict.fromkeys(d.name for d in documents))
    instruction = (
        f"The user's document {names} is attached. Answer from the excerpts below; after "
        "each fact, name its page or section in brackets, e.g. (page 4). If the excerpts "
        "do not hold the answer, say so."
    )
    labels = [_label(_source(document, chunk)) for document, chunk in candidates]
    instruction_tokens, *label_tokens = count_texts([instruction, *labels])
    room = budget_tokens - instruction_tokens - JOIN_TOKENS
    picked = _fill(candidates, label_tokens, room)
    if not picked:
        return None
    body = "\n\n".join(f"{_label(e.source)}{e.text}" for e in picked)
    return DocumentContext(f"{instruction}\n\n{body}", tuple(picked))


def _source(document: StoredDocument, chunk: Chunk) -> str:
    where = chunk.location()
    return f"{document.name}, {where}" if where else document.name


def _label(source: str) -> str:
    return f"[Excerpt from {source}]\n"


def _fill(
    candidates: Sequence[tuple[StoredDocument, Chunk]], labels: Sequence[int], room: int
) -> list[Excerpt]:
    """Best-ranked chunks that fit, shown in document order; if even the best one is too
    long, the part of it that fits (cut at a paragraph or sentence end)."""
    picked: list[tuple[StoredDocument, Chunk]] = []
    used = 0
    for (document, chunk), label in zip(candidates, labels, strict=True):
        cost = label + chunk.tokens + JOIN_TOKENS
        if used + cost <= room:
            picked.append((document, chunk))
            used += cost
    if not picked:
        document, chunk = candidates[0]
        share = (room - labels[0] - JOIN_TOKENS) / max(1, chunk.tokens)
        if share <= 0.1:
            return []
        return [Excerpt(document, chunk, _cut(chunk.text, int(len(chunk.text) * share * 0.9)))]
    picked.sort(key=lambda pair: (pair[0].id, pair[1].index))
    return [Excerpt(document, chunk, chunk.text) for document, chunk in picked]


def _cut(text: str, limit: int) -> str:
    """`text` up to `limit` characters, ending at a paragraph, sentence or word end."""
    if len(text) <= limit:
        return text
    head = text[:limit]
    for mark in ("\n\n", ". ", " "):
        end = head.rfind(mark)
        if end > limit // 2:
            return head[: end + (1 if mark == ". " else 0)].rstrip() + " …"
    return head + " …"
