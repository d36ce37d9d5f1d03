"""Summarized documents: records, chunks, chunk search, summary parts, resume, purge."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest
import sqlite_utils

from app.documents.model import Chunk
from app.errors import InvalidInputError, NotFoundError
from app.store import MIGRATIONS, DocumentStatus, DocumentStore, History, SummaryPart
from app.store.search import question_query
from tests.unit.store.document_helpers import add, chunks_of


def count(history: History, table: str) -> int:
    return int(history.db.execute(f"SELECT count(*) FROM {table}").fetchone()[0])


@pytest.fixture
def store(history: History) -> DocumentStore:
    return DocumentStore(history)


# -- documents ---------------------------------------------------------------------------


def test_added_document_reads_back(history: History, store: DocumentStore) -> None:
    cid = history.create_conversation(title="Report")
    did = add(store, cid, chunks_of("one", "two"))

    document = store.get(did)

    assert document.id == did
    assert document.conversation_id == cid
    assert document.path == Path("/home/me/report.pdf")
    assert document.name == "report.pdf"
    assert (document.kind, document.title) == ("pdf", "Annual report")
    assert (document.size_bytes, document.sha256) == (1234, "aa" * 32)
    assert (document.page_count, document.chunk_budget) == (12, 900)
    assert document.job_key == "brief|default|qwen|8192"
    assert document.status is DocumentStatus.SUMMARIZING
    assert document.error is None
    assert document.added_at == document.updated_at
    assert document.added_at.endswith("Z")
    assert store.for_conversation(cid) == [document]


def test_documents_of_a_conversation_oldest_first(history: History, store: DocumentStore) -> None:
    cid = history.create_conversation()
    other = history.create_conversation()
    first, second = add(store, cid), add(store, cid)
    add(store, other)
    assert [d.id for d in store.for_conversation(cid)] == [first, second]
    assert store.for_conversation(12345) == []


def test_missing_document_is_not_found(store: DocumentStore) -> None:
    with pytest.raises(NotFoundError, match=r"There is no document 99\."):
        store.get(99)
    with pytest.raises(NotFoundError):
        store.set_status(99, "done")
    with pytest.raises(NotFoundError):
        store.save_part(99, 0, 0, 0, 0, "text")


def test_adding_to_a_missing_conversation_writes_nothing(
    history: History, store: DocumentStore
) -> None:
    with pytest.raises(NotFoundError, match="There is no conversation 7"):
        add(store, 7, chunks_of("text"))
    assert count(history, "documents") == 0
    assert count(history, "document_chunks") == 0


def test_a_failing_chunk_rolls_back_the_whole_document(
    history: History, store: DocumentStore
) -> None:
    cid = history.create_conversation()
    with pytest.raises(sqlite3.IntegrityError):  # two chunks with one index: a bug
        add(store, cid, [*chunks_of("a"), *chunks_of("b")])
    assert store.for_conversation(cid) == []
    assert count(history, "document_chunks") == 0


def test_status_and_error(history: History, store: DocumentStore) -> None:
    did = add(store, history.create_conversation())
    added = store.get(did)

    store.set_status(did, "failed", "The model stopped unexpectedly.")
    failed = store.get(did)
    assert failed.status is DocumentStatus.FAILED
    assert failed.error == "The model stopped unexpectedly."
    assert failed.updated_at > added.updated_at

    store.set_status(did, DocumentStatus.DONE)
    assert store.get(did).status is DocumentStatus.DONE
    assert store.get(did).error is None

    with pytest.raises(InvalidInputError, match="summarizing, done, stopped, failed"):
        store.set_status(did, "finished")


def writer_pid(history: History, document_id: int) -> int | None:
    row = history.db.execute("SELECT writer_pid FROM documents WHERE id = ?", [document_id])
    return row.fetchone()[0]  # type: ignore[no-any-return]


def test_summarizing_records_this_process_as_the_writer(
    history: History, store: DocumentStore
) -> None:
    did = add(store, history.create_conversation())
    assert writer_pid(history, did) == os.getpid()  # a new document starts summarizing
    history.db.execute("UPDATE documents SET writer_pid = NULL WHERE id = ?", [did])

    store.set_status(did, DocumentStatus.STOPPED)
    assert writer_pid(history, did) is None  # only summarizing claims the document
    store.set_status(did, "summarizing")
    assert writer_pid(history, did) == os.getpid()


# -- chunks ------------------------------------------------------------------------------


def test_chunks_round_trip_in_order(history: History, store: DocumentStore) -> None:
    did = add(
        store,
        history.create_conversation(),
        [  # given out of order: reading order is the index, not the insertion order
            Chunk(1, "Second.", 7, 3, 5, ("Résultats", "Coûts")),
            Chunk(0, "First.", 4, 1, 2, ("Introduction",)),
            Chunk(2, "Third, no pages.", 3, None, None, ()),
        ],
    )

    assert store.chunks(did) == [
        Chunk(0, "First.", 4, 1, 2, ("Introduction",)),
        Chunk(1, "Second.", 7, 3, 5, ("Résultats", "Coûts")),
        Chunk(2, "Third, no pages.", 3, None, None, ()),
    ]
    assert store.chunks(12345) == []


CHUNKS = (
    "The company was founded in 1990 by two engineers in a small garage.",
    "Revenue growth was twelve percent, driven by strong sales of the new laptop line.",
    "The board approved a dividend and discussed the revenue outlook for next year.",
    "Employees enjoyed a new cafeteria and a longer summer holiday.",
)


def test_search_ranks_the_chunk_about_the_question_first(
    history: History, store: DocumentStore
) -> None:
    did = add(store, history.create_conversation(), chunks_of(*CHUNKS))

    found = store.search_chunks(did, "How much did the revenue grow, and why?")

    assert [chunk.index for chunk in found] == [1, 2]  # both mention revenue; 1 also growth
    assert store.search_chunks(did, "When was it founded?")[0].index == 0


def test_search_never_returns_another_documents_chunks(
    history: History, store: DocumentStore
) -> None:
    cid = history.create_conversation()
    mine = add(store, cid, chunks_of("Revenue was flat.", "Nothing else."))
    add(store, cid, chunks_of("Revenue revenue revenue, all about revenue."))
    add(store, history.create_conversation(), chunks_of("More revenue talk."))

    found = store.search_chunks(mine, "revenue", limit=10)

    assert [chunk.text for chunk in found] == ["Revenue was flat."]


def test_search_respects_the_limit(history: History, store: DocumentStore) -> None:
    did = add(store, history.create_conversation(), chunks_of(*[f"apple {i}" for i in range(9)]))
    assert len(store.search_chunks(did, "apple")) == 4
    assert len(store.search_chunks(did, "apple", limit=2)) == 2
    assert store.search_chunks(did, "apple", limit=0) == []


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("Which invoice?", "Three invoices are late."),  # singular finds plural
        ("What about the companies?", "The company grew."),  # plural finds singular
        ("List the boxes", "One box was lost."),
        ("Which classes?", "The class was cancelled."),
    ],
)
def test_word_endings_still_match(
    history: History, store: DocumentStore, question: str, expected: str
) -> None:
    texts = ("Three invoices are late.", "The company grew.", "One box was lost.")
    did = add(store, history.create_conversation(), chunks_of(*texts, "The class was cancelled."))
    assert [chunk.text for chunk in store.search_chunks(did, question)][:1] == [expected]


def test_question_becomes_quoted_words_ored_together() -> None:
    query = question_query('What did "Acme" say about the revenues in Q3 (2024)?')
    assert query == '"acme"* OR "say" OR "revenue"* OR "q3" OR "2024"*'
    assert question_query("what is the, of a?") == ""


@pytest.mark.parametrize(
    "question",
    [
        "",
        "   ",
        '"',
        "(",
        ")",
        "*",
        "-",
        "^start",
        "'",
        "NEAR",
        "NEAR(revenue growth, 2)",
        "revenue AND NOT growth OR -laptop*",
        "col:value {text}",
        '"unbalanced quote',
        "___ __init__",
        "é ü ² 日本語 ٣",
        "what is the",
        "a b c d e",
        " ".join(f"word{i}" for i in range(500)),
    ],
)
def test_odd_questions_never_raise(history: History, store: DocumentStore, question: str) -> None:
    did = add(store, history.create_conversation(), chunks_of(*CHUNKS))
    found = store.search_chunks(did, question)
    assert len(found) <= 4


@pytest.mark.parametrize("question", ["", "  ", "?!", "What is it about?", "is it a the"])
def test_a_question_without_telling_words_gets_the_first_chunks(
    history: History, store: DocumentStore, question: str
) -> None:
    did = add(store, history.create_conversation(), chunks_of(*CHUNKS, "Fifth.", "Sixth."))
    assert [chunk.index for chunk in store.search_chunks(did, question)] == [0, 1, 2, 3]
    assert [chunk.index for chunk in store.search_chunks(did, question, limit=2)] == [0, 1]


def test_operators_are_searched_as_words(history: History, store: DocumentStore) -> None:
    did = add(store, history.create_conversation(), chunks_of("plain text", "NEAR the river"))
    assert [chunk.index for chunk in store.search_chunks(did, "NEAR")] == [1]


# -- summary parts -----------------------------------------------------------------------


def test_parts_are_saved_replaced_ordered_and_cleared(
    history: History, store: DocumentStore
) -> None:
    cid = history.create_conversation()
    did, other = add(store, cid), add(store, cid)
    store.save_part(did, 1, 0, 0, 3, "merged")
    store.save_part(did, 0, 1, 2, 3, "second")
    store.save_part(did, 0, 0, 0, 1, "first draft")
    store.save_part(did, 0, 0, 0, 1, "first")  # redone: replaces, not duplicates
    store.save_part(other, 0, 0, 0, 0, "other document")

    assert store.parts(did) == [
        SummaryPart(0, 0, 0, 1, "first"),
        SummaryPart(0, 1, 2, 3, "second"),
        SummaryPart(1, 0, 0, 3, "merged"),
    ]

    store.clear_parts(did)
    assert store.parts(did) == []
    assert store.parts(other) == [SummaryPart(0, 0, 0, 0, "other document")]


def test_saving_a_part_marks_the_document_as_worked_on(
    history: History, store: DocumentStore
) -> None:
    did = add(store, history.create_conversation())
    before = store.get(did).updated_at
    store.save_part(did, 0, 0, 0, 0, "part")
    assert store.get(did).updated_at > before


# -- resume ------------------------------------------------------------------------------


def test_find_resumable_matches_file_and_settings(history: History, store: DocumentStore) -> None:
    cid = history.create_conversation()
    did = add(store, cid, sha256="11" * 32, job_key="brief")
    add(store, cid, sha256="22" * 32, job_key="brief")
    add(store, cid, sha256="11" * 32, job_key="detailed")

    found = store.find_resumable("11" * 32, "brief")

    assert found == store.get(did)
    assert store.find_resumable("33" * 32, "brief") is None
    assert store.find_resumable("11" * 32, "bullet points") is None


def test_find_resumable_takes_the_latest_unfinished(history: History, store: DocumentStore) -> None:
    cid = history.create_conversation()
    stopped, failed, done = add(store, cid), add(store, cid), add(store, cid)
    store.set_status(stopped, "stopped")
    store.set_status(failed, "failed", "boom")
    store.set_status(done, "done")

    found = store.find_resumable("aa" * 32, "brief|default|qwen|8192")
    assert found == store.get(failed)  # the most recently updated

    store.save_part(stopped, 0, 0, 0, 0, "progress")  # now the most recent
    found = store.find_resumable("aa" * 32, "brief|default|qwen|8192")
    assert found == store.get(stopped)

    store.set_status(stopped, "done")
    store.set_status(failed, "done")
    assert store.find_resumable("aa" * 32, "brief|default|qwen|8192") is None


def test_an_interrupted_summary_resumes_like_a_stopped_one(
    history: History, store: DocumentStore
) -> None:
    cid = history.create_conversation()
    interrupted, done = add(store, cid), add(store, cid)
    store.set_status(done, "done")
    store.set_status(interrupted, DocumentStatus.INTERRUPTED)
    store.set_status(done, "done")  # the most recently updated, but finished

    found = store.find_resumable("aa" * 32, "brief|default|qwen|8192")

    assert found == store.get(interrupted)
    assert found.status is DocumentStatus.INTERRUPTED


def test_find_resumable_skips_the_trash(history: History, store: DocumentStore) -> None:
    cid = history.create_conversation()
    did = add(store, cid)
    history.delete(cid)
    assert store.find_resumable("aa" * 32, "brief|default|qwen|8192") is None
    history.restore(cid)
    found = store.find_resumable("aa" * 32, "brief|default|qwen|8192")
    assert found == store.get(did)


# -- trash and purge ---------------------------------------------------------------------


def test_trash_keeps_documents_and_purge_removes_them(
    history: History, store: DocumentStore
) -> None:
    gone = history.create_conversation()
    kept = history.create_conversation()
    for cid in (gone, kept):
        did = add(store, cid, chunks_of("revenue alpha", "revenue beta"))
        store.save_part(did, 0, 0, 0, 1, "summary")
    tables = ["documents", "document_chunks", "document_chunks_fts_docsize", "summary_parts"]
    assert [count(history, table) for table in tables] == [2, 4, 4, 2]

    history.delete(gone)
    assert [count(history, table) for table in tables] == [2, 4, 4, 2]
    assert len(store.for_conversation(gone)) == 1

    history.purge(gone)

    assert [count(history, table) for table in tables] == [1, 2, 2, 1]
    assert store.for_conversation(gone) == []
    [survivor] = store.for_conversation(kept)
    assert len(store.search_chunks(survivor.id, "revenue")) == 2
    history.db.execute(
        "INSERT INTO document_chunks_fts(document_chunks_fts) VALUES('integrity-check')"
    )


# -- schema ------------------------------------------------------------------------------


def test_chunk_text_is_indexed_by_triggers(history: History) -> None:
    db = history.db
    assert db.table("document_chunks").detect_fts() == "document_chunks_fts"
    assert {"document_chunks_ai", "document_chunks_ad", "document_chunks_au"} <= set(
        db.triggers_dict
    )
    unique = {
        tuple(i.columns)
        for t in ("document_chunks", "summary_parts")
        for i in db.table(t).indexes
        if i.unique
    }
    assert {("document_id", "idx"), ("document_id", "level", "idx")} <= unique


def test_an_older_history_gains_the_document_tables(db_path: Path) -> None:
    db_path.parent.mkdir(parents=True)
    with sqlite_utils.Database(db_path) as old:
        MIGRATIONS.apply(old, stop_before="m004_create_documents")
        stamp = "2025-01-01T00:00:00.000Z"
        old.table("conversations").insert(
            {"id": 1, "title": "Before documents", "created_at": stamp, "updated_at": stamp}
        )
        message = {"conversation_id": 1, "role": "user", "content": "hello from before"}
        old.table("messages").insert({"id": 1, **message, "created_at": stamp, "updated_at": stamp})
        assert "documents" not in old.table_names()

    with History.open(db_path) as history:
        assert history.get_conversation(1).title == "Before documents"
        assert history.get_message(1).content == "hello from before"
        assert [hit.message_id for hit in history.search("hello")] == [1]
        store = DocumentStore(history)
        did = add(store, 1, chunks_of("The lighthouse keeper's log."))
        assert [chunk.index for chunk in store.search_chunks(did, "lighthouse")] == [0]
    assert list(db_path.parent.glob("hearth.backup-*.db"))  # backed up before upgrading
