"""Checking a conversation file before anything is written.

An imported file may come from another machine, an older Hearth or a hand edit, so every
field is checked and every problem is reported in words a person can act on. The messages
come back parents first, which is the order they can be inserted in.

Versions: 1 holds the conversation and its messages; 2 adds an optional "documents" list
(see exchange.export_json for its shape). Both are read: a version 1 file has no documents.
"""

from __future__ import annotations

import heapq
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from app.documents.model import Chunk
from app.errors import InvalidInputError
from app.store.models import ConversationKind, DocumentStatus, MessageStatus, Role

FORMAT_NAME = "hearth-conversation"
FORMAT_VERSION = 2  # what export writes; 2 added "documents"
READABLE_VERSIONS = (1, 2)

_MISSING = object()


@dataclass(frozen=True)
class ImportedMessage:
    id: int
    parent_id: int | None
    role: Role
    content: str
    status: MessageStatus
    created_at: str | None
    updated_at: str | None
    model: str | None
    stats: dict[str, Any] | None
    error: str | None


@dataclass(frozen=True)
class ImportedPart:
    level: int
    index: int
    first_chunk: int
    last_chunk: int
    text: str
    created_at: str | None


@dataclass(frozen=True)
class ImportedDocument:
    path: str
    name: str
    kind: str
    title: str
    size_bytes: int
    sha256: str
    page_count: int | None
    chunk_budget: int
    job_key: str
    status: DocumentStatus
    error: str | None
    added_at: str | None
    updated_at: str | None
    chunks: tuple[Chunk, ...]
    parts: tuple[ImportedPart, ...]


@dataclass(frozen=True)
class ImportedConversation:
    title: str
    created_at: str | None
    updated_at: str | None
    model: str | None
    system_prompt: str | None
    sampling: dict[str, Any]
    pinned: bool
    active_leaf_id: int | None
    messages: tuple[ImportedMessage, ...]  # parents before children
    kind: ConversationKind = ConversationKind.CHAT  # absent from older files: a chat
    documents: tuple[ImportedDocument, ...] = ()


def _bad(detail: str) -> InvalidInputError:
    return InvalidInputError(f"This is not a usable Hearth conversation file: {detail}.")


def _field(data: Mapping[str, Any], key: str, kinds: tuple[type, ...], where: str) -> Any:
    """`data[key]` if present and of one of `kinds` (None allowed if NoneType is listed)."""
    value = data.get(key, _MISSING)
    if value is _MISSING:
        raise _bad(f"{where} has no {key!r}")
    # bool is an int subclass; an id or version of `true` is a mistake, not a number.
    if not isinstance(value, kinds) or (isinstance(value, bool) and bool not in kinds):
        names = " or ".join("null" if k is type(None) else k.__name__ for k in kinds)
        raise _bad(f"{where} has {key!r} of the wrong kind (expected {names})")
    return value


def _optional(data: Mapping[str, Any], key: str, kinds: tuple[type, ...], where: str) -> Any:
    if key not in data:
        return None
    return _field(data, key, (*kinds, type(None)), where)


def _message(data: object, index: int) -> ImportedMessage:
    where = f"message {index + 1}"
    if not isinstance(data, dict):
        raise _bad(f"{where} is not an object")
    role, status = _field(data, "role", (str,), where), _field(data, "status", (str,), where)
    if role not in set(Role):
        raise _bad(f"{where} has the unknown role {role!r}")
    if status not in set(MessageStatus):
        raise _bad(f"{where} has the unknown status {status!r}")
    return ImportedMessage(
        id=_field(data, "id", (int,), where),
        parent_id=_field(data, "parent_id", (int, type(None)), where),
        role=Role(role),
        content=_field(data, "content", (str,), where),
        status=MessageStatus(status),
        created_at=_optional(data, "created_at", (str,), where),
        updated_at=_optional(data, "updated_at", (str,), where),
        model=_optional(data, "model", (str,), where),
        stats=_optional(data, "stats", (dict,), where),
        error=_optional(data, "error", (str,), where),
    )


def _parents_first(messages: list[ImportedMessage]) -> tuple[ImportedMessage, ...]:
    """The messages ordered parents before children, otherwise by id (so creation order
    survives the import); rejects duplicate ids, dangling parents and cycles (anything not
    reachable from a root is on a cycle)."""
    by_id = {m.id: m for m in messages}
    if len(by_id) != len(messages):
        raise _bad("two messages share the same id")
    kids: dict[int | None, list[int]] = {}
    for m in messages:
        if m.parent_id is not None and m.parent_id not in by_id:
            raise _bad(f"message {m.id} answers message {m.parent_id}, which is not in the file")
        kids.setdefault(m.parent_id, []).append(m.id)
    ordered: list[ImportedMessage] = []
    ready = sorted(kids.get(None, []))  # a sorted list is already a heap
    while ready:
        mid = heapq.heappop(ready)
        ordered.append(by_id[mid])
        for kid in kids.get(mid, []):
            heapq.heappush(ready, kid)
    if len(ordered) != len(messages):
        raise _bad("some messages answer each other in a loop")
    return tuple(ordered)


def parse_conversation(data: object) -> ImportedConversation:
    """Validate an exported conversation (see exchange.export_json) or raise
    InvalidInputError saying what is wrong."""
    if not isinstance(data, dict):
        raise _bad("it does not contain a JSON object")
    if data.get("format") != FORMAT_NAME:
        raise _bad(f"its 'format' is not {FORMAT_NAME!r}")
    version = _field(data, "version", (int,), "the file")
    if version not in READABLE_VERSIONS:
        readable = " to ".join(str(v) for v in (READABLE_VERSIONS[0], READABLE_VERSIONS[-1]))
        raise _bad(f"it is version {version}; this Hearth reads versions {readable}")
    raw_messages = _field(data, "messages", (list,), "the file")
    messages = _parents_first([_message(m, i) for i, m in enumerate(raw_messages)])
    leaf = _optional(data, "active_leaf_id", (int,), "the file")
    if leaf is not None and leaf not in {m.id for m in messages}:
        raise _bad(f"its active message {leaf} is not in the file")
    return ImportedConversation(
        title=_field(data, "title", (str,), "the file"),
        created_at=_optional(data, "created_at", (str,), "the file"),
        updated_at=_optional(data, "updated_at", (str,), "the file"),
        model=_optional(data, "model", (str,), "the file"),
        system_prompt=_optional(data, "system_prompt", (str,), "the file"),
        sampling=_optional(data, "sampling", (dict,), "the file") or {},
        pinned=bool(_optional(data, "pinned", (bool, int), "the file")),
        active_leaf_id=leaf,
        messages=messages,
        documents=_documents(data),
        kind=_kind(data),
    )


def _kind(data: Mapping[str, Any]) -> ConversationKind:
    value = _optional(data, "kind", (str,), "the file")
    try:
        return ConversationKind(value or ConversationKind.CHAT)
    except ValueError:
        raise _bad(f"its 'kind' {value!r} is not one Hearth knows") from None


# -- documents (version 2) -----------------------------------------------------------------


def _count(data: Mapping[str, Any], key: str, where: str, *, least: int = 0) -> int:
    """A whole number of at least `least` (a count, an index, a size)."""
    value: int = _field(data, key, (int,), where)
    if value < least:
        raise _bad(f"{where} has {key!r} below {least}")
    return value


def _optional_count(data: Mapping[str, Any], key: str, where: str, *, least: int) -> int | None:
    if _optional(data, key, (int,), where) is None:
        return None
    return _count(data, key, where, least=least)


def _documents(data: Mapping[str, Any]) -> tuple[ImportedDocument, ...]:
    raw = _optional(data, "documents", (list,), "the file") or []
    return tuple(_document(d, i) for i, d in enumerate(raw))


def _document(data: object, index: int) -> ImportedDocument:
    where = f"document {index + 1}"
    if not isinstance(data, dict):
        raise _bad(f"{where} is not an object")
    status = _field(data, "status", (str,), where)
    if status not in set(DocumentStatus):
        raise _bad(f"{where} has the unknown status {status!r}")
    raw_chunks = _field(data, "chunks", (list,), where)
    chunks = tuple(_chunk(c, i, where) for i, c in enumerate(raw_chunks))
    indexes = {chunk.index for chunk in chunks}
    if len(indexes) != len(chunks):
        raise _bad(f"two chunks of {where} share the same index")
    raw_parts = _optional(data, "summary_parts", (list,), where) or []
    parts = tuple(_part(p, i, where, indexes) for i, p in enumerate(raw_parts))
    if len({(p.level, p.index) for p in parts}) != len(parts):
        raise _bad(f"two summary parts of {where} share the same level and index")
    return ImportedDocument(
        path=_field(data, "path", (str,), where),
        name=_field(data, "name", (str,), where),
        kind=_field(data, "kind", (str,), where),
        title=_optional(data, "title", (str,), where) or "",
        size_bytes=_count(data, "size_bytes", where),
        sha256=_field(data, "sha256", (str,), where),
        page_count=_optional_count(data, "page_count", where, least=0),
        chunk_budget=_count(data, "chunk_budget", where, least=1),
        job_key=_field(data, "job_key", (str,), where),
        status=DocumentStatus(status),
        error=_optional(data, "error", (str,), where),
        added_at=_optional(data, "added_at", (str,), where),
        updated_at=_optional(data, "updated_at", (str,), where),
        chunks=chunks,
        parts=parts,
    )


def _chunk(data: object, index: int, document: str) -> Chunk:
    where = f"chunk {index + 1} of {document}"
    if not isinstance(data, dict):
        raise _bad(f"{where} is not an object")
    sections = _field(data, "sections", (list,), where)
    if not all(isinstance(section, str) for section in sections):
        raise _bad(f"{where} has a section name that is not text")
    first = _optional_count(data, "first_page", where, least=1)
    last = _optional_count(data, "last_page", where, least=1)
    if first is not None and last is not None and last < first:
        raise _bad(f"{where} ends on a page before the one it starts on")
    return Chunk(
        index=_count(data, "index", where),
        text=_field(data, "text", (str,), where),
        tokens=_count(data, "tokens", where),
        first_page=first,
        last_page=last,
        sections=tuple(sections),
    )


def _part(data: object, index: int, document: str, chunk_indexes: set[int]) -> ImportedPart:
    where = f"summary part {index + 1} of {document}"
    if not isinstance(data, dict):
        raise _bad(f"{where} is not an object")
    first, last = _count(data, "first_chunk", where), _count(data, "last_chunk", where)
    if last < first or first not in chunk_indexes or last not in chunk_indexes:
        raise _bad(f"{where} covers chunks {first} to {last}, which are not in the document")
    return ImportedPart(
        level=_count(data, "level", where),
        index=_count(data, "index", where),
        first_chunk=first,
        last_chunk=last,
        text=_field(data, "text", (str,), where),
        created_at=_optional(data, "created_at", (str,), where),
    )
