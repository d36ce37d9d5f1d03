"""Documents travel with their conversation in JSON export and import (format version 2)."""

from __future__ import annotations

import copy
import dataclasses
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from app.documents.model import Chunk
from app.errors import InvalidInputError
from app.store import (
    DocumentStatus,
    DocumentStore,
    History,
    StoredDocument,
    export_json,
    export_markdown,
    import_json,
)
from tests.unit.store.document_helpers import add, chunks_of

HARBOUR = "The harbour froze in January and the ferries stopped for six weeks."


@pytest.fixture
def fresh(tmp_path: Path) -> Iterator[History]:
    """A second, empty history: where an exported file is imported, as on another machine."""
    with History.open(tmp_path / "elsewhere" / "hearth.db") as opened:
        yield opened


@pytest.fixture
def summarized(history: History) -> int:
    """A conversation with a summarized document (pages, sections, two levels of parts)
    and a second one whose summary failed."""
    store = DocumentStore(history)
    cid = history.create_conversation(title="Harbour report")
    history.add_message(cid, "user", "Summarize harbour.pdf")
    history.add_message(cid, "assistant", "Winter closed the harbour; spring reopened it.")
    done = add(
        store,
        cid,
        [
            Chunk(0, HARBOUR, 14, 1, 2, ("Winter", "Ice")),
            Chunk(1, "Ferries resumed in March, with a new timetable.", 9, 3, 3, ("Spring",)),
            Chunk(2, "Appendix without pages.", 4, None, None, ()),
        ],
    )
    store.save_part(done, 0, 0, 0, 0, "Ice closed the harbour.")
    store.save_part(done, 0, 1, 1, 2, "Ferries came back.")
    store.save_part(done, 1, 0, 0, 2, "Winter closed it; spring reopened it.")
    store.set_status(done, "done")
    failed = add(store, cid, chunks_of("Second file."), sha256="cc" * 32, job_key="bullets")
    store.set_status(failed, "failed", "The model stopped unexpectedly.")
    return cid


def round_trip(source: History, cid: int, target: History) -> int:
    """Export from `source` as a JSON file would hold it, import into `target`."""
    return import_json(target, json.loads(json.dumps(export_json(source, cid))))


def without_ids(document: StoredDocument) -> dict[str, Any]:
    fields = dataclasses.asdict(document)
    del fields["id"], fields["conversation_id"]
    return fields


def test_round_trip_into_a_fresh_database_keeps_the_documents(
    history: History, summarized: int, fresh: History
) -> None:
    new = round_trip(history, summarized, fresh)

    old_store, new_store = DocumentStore(history), DocumentStore(fresh)
    old_docs, new_docs = old_store.for_conversation(summarized), new_store.for_conversation(new)
    assert [without_ids(d) for d in new_docs] == [without_ids(d) for d in old_docs]
    assert new_docs[0].status is DocumentStatus.DONE
    assert (new_docs[1].status, new_docs[1].error) == (
        DocumentStatus.FAILED,
        "The model stopped unexpectedly.",
    )
    for old, copied in zip(old_docs, new_docs, strict=True):
        assert new_store.chunks(copied.id) == old_store.chunks(old.id)
        assert new_store.parts(copied.id) == old_store.parts(old.id)
    assert len(new_store.parts(new_docs[0].id)) == 3
    assert new_store.chunks(new_docs[0].id)[0].sections == ("Winter", "Ice")
    # Everything else the file holds (part times included) comes back the same.
    assert export_json(fresh, new)["documents"] == export_json(history, summarized)["documents"]


def test_follow_up_questions_find_the_imported_chunks(
    history: History, summarized: int, fresh: History
) -> None:
    new = round_trip(history, summarized, fresh)
    store = DocumentStore(fresh)
    [document, _] = store.for_conversation(new)

    found = store.search_chunks(document.id, "When did the harbour freeze?")

    assert [(chunk.index, chunk.text, chunk.first_page) for chunk in found] == [(0, HARBOUR, 1)]
    fresh.db.execute(
        "INSERT INTO document_chunks_fts(document_chunks_fts) VALUES('integrity-check')"
    )


def test_import_into_the_same_database_adds_a_copy(history: History, summarized: int) -> None:
    new = round_trip(history, summarized, history)
    store = DocumentStore(history)
    original, copied = store.for_conversation(summarized)[0], store.for_conversation(new)[0]
    assert len(store.for_conversation(new)) == len(store.for_conversation(summarized)) == 2
    assert copied.id != original.id
    assert [c.index for c in store.search_chunks(copied.id, "harbour", limit=10)] == [0]
    assert [c.index for c in store.search_chunks(original.id, "harbour", limit=10)] == [0]


def test_a_summary_still_summarizing_arrives_interrupted_and_resumable(
    history: History, fresh: History
) -> None:
    store = DocumentStore(history)
    cid = history.create_conversation()
    did = add(store, cid, chunks_of("one", "two"))
    store.save_part(did, 0, 0, 0, 0, "first note")

    new = round_trip(history, cid, fresh)

    [document] = DocumentStore(fresh).for_conversation(new)
    assert document.status is DocumentStatus.INTERRUPTED
    assert DocumentStore(fresh).find_resumable("aa" * 32, "brief|default|qwen|8192") == document


def test_markdown_names_the_attached_documents(history: History, summarized: int) -> None:
    text = export_markdown(history, summarized)
    assert text.startswith("# Harbour report\n\n_Attached documents: report.pdf, report.pdf_\n")
    plain = history.create_conversation(title="Plain")
    assert "Attached" not in export_markdown(history, plain)


def _version_1() -> dict[str, Any]:
    """A file from before documents were exported."""
    return {
        "format": "hearth-conversation",
        "version": 1,
        "title": "Old file",
        "messages": [
            {"id": 1, "parent_id": None, "role": "user", "content": "a", "status": "complete"},
        ],
    }


def test_a_version_1_file_still_imports(history: History) -> None:
    cid = import_json(history, _version_1())
    assert [m.content for m in history.all_messages(cid)] == ["a"]
    assert DocumentStore(history).for_conversation(cid) == []


def _with_document() -> dict[str, Any]:
    return {
        **_version_1(),
        "version": 2,
        "documents": [
            {
                "path": "/home/me/notes.txt",
                "name": "notes.txt",
                "kind": "text",
                "size_bytes": 42,
                "sha256": "dd" * 32,
                "chunk_budget": 500,
                "job_key": "brief",
                "status": "done",
                "chunks": [
                    {"index": 0, "text": "alpha", "tokens": 1, "sections": []},
                    {"index": 1, "text": "beta", "tokens": 1, "first_page": 2, "sections": []},
                ],
                "summary_parts": [
                    {"level": 0, "index": 0, "first_chunk": 0, "last_chunk": 1, "text": "A and B."}
                ],
            }
        ],
    }


def test_a_minimal_document_imports(history: History) -> None:
    cid = import_json(history, _with_document())

    store = DocumentStore(history)
    [document] = store.for_conversation(cid)
    assert (document.name, document.title, document.page_count) == ("notes.txt", "", None)
    assert document.added_at == document.updated_at  # the import's time, as none was given
    assert [(c.text, c.first_page, c.last_page) for c in store.chunks(document.id)] == [
        ("alpha", None, None),
        ("beta", 2, None),
    ]
    assert [part.text for part in store.parts(document.id)] == ["A and B."]
    assert [c.index for c in store.search_chunks(document.id, "beta")] == [1]


def _broken(change: str) -> Any:
    data = _with_document()
    document = data["documents"][0]
    chunks, part = document["chunks"], document["summary_parts"][0]
    changes: dict[str, Any] = {
        "documents not a list": lambda: data.update(documents={"path": "x"}),
        "document not an object": lambda: data["documents"].append("notes.txt"),
        "document without path": lambda: document.pop("path"),
        "unknown status": lambda: document.update(status="pondering"),
        "boolean size": lambda: document.update(size_bytes=True),
        "negative size": lambda: document.update(size_bytes=-1),
        "zero chunk budget": lambda: document.update(chunk_budget=0),
        "chunks missing": lambda: document.pop("chunks"),
        "chunk not an object": lambda: chunks.append(["gamma"]),
        "chunk text not text": lambda: chunks[0].update(text=7),
        "section not text": lambda: chunks[0].update(sections=["Intro", 3]),
        "duplicate chunk index": lambda: chunks[1].update(index=0),
        "page zero": lambda: chunks[0].update(first_page=0),
        "pages backwards": lambda: chunks[1].update(first_page=5, last_page=4),
        "part of a missing chunk": lambda: part.update(last_chunk=9),
        "part without text": lambda: part.pop("text"),
        "duplicate part": lambda: document["summary_parts"].append(dict(part)),
        "parts not a list": lambda: document.update(summary_parts="none"),
    }
    changes[change]()
    return data


BROKEN = [
    "documents not a list",
    "document not an object",
    "document without path",
    "unknown status",
    "boolean size",
    "negative size",
    "zero chunk budget",
    "chunks missing",
    "chunk not an object",
    "chunk text not text",
    "section not text",
    "duplicate chunk index",
    "page zero",
    "pages backwards",
    "part of a missing chunk",
    "part without text",
    "duplicate part",
    "parts not a list",
]


@pytest.mark.parametrize("change", BROKEN)
def test_a_malformed_document_section_imports_nothing(history: History, change: str) -> None:
    data = _broken(change)
    with pytest.raises(InvalidInputError, match=r"not a usable Hearth conversation file: \w"):
        import_json(history, data)
    assert history.list_conversations() == []
    tables = ("documents", "document_chunks", "summary_parts")
    assert [history.db.table(t).count for t in tables] == [0, 0, 0]


def test_errors_say_which_document_and_chunk(history: History) -> None:
    with pytest.raises(InvalidInputError, match=r"chunk 1 of document 1 has 'text'"):
        import_json(history, _broken("chunk text not text"))
    data = _with_document()
    data["documents"].append(copy.deepcopy(data["documents"][0]))
    data["documents"][1]["status"] = "pondering"
    with pytest.raises(InvalidInputError, match=r"document 2 has the unknown status 'pondering'"):
        import_json(history, data)
