"""Replies and summaries whose writer died become "interrupted" at the next open; live
ones do not."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import sqlite_utils

from app.store import MIGRATIONS, DocumentStatus, DocumentStore, History, MessageStatus
from app.store.recovery import pid_is_alive, working_rows_query
from tests.unit.store.document_helpers import add, chunks_of


def dead_pid() -> int:
    process = subprocess.Popen(["true"])
    process.wait()
    return process.pid


def test_pid_is_alive() -> None:
    assert pid_is_alive(os.getpid())
    assert not pid_is_alive(dead_pid())
    assert not pid_is_alive(0)


def test_orphaned_replies_become_interrupted_on_reopen(db_path: Path) -> None:
    with History.open(db_path) as history:
        cid = history.create_conversation()
        history.add_message(cid, "user", "Go on")
        orphan = history.add_message(
            cid, "assistant", "half a sen", status="streaming", writer_pid=dead_pid()
        )
        no_pid = history.add_message(cid, "assistant", "older row", status="streaming")
        live = history.add_message(
            cid, "assistant", "still coming", status="streaming", writer_pid=os.getpid()
        )
        done = history.add_message(cid, "assistant", "finished", writer_pid=dead_pid())

    with History.open(db_path) as history:
        assert history.get_message(orphan).status is MessageStatus.INTERRUPTED
        assert history.get_message(orphan).content == "half a sen"
        assert history.get_message(no_pid).status is MessageStatus.INTERRUPTED
        assert history.get_message(live).status is MessageStatus.STREAMING
        assert history.get_message(done).status is MessageStatus.COMPLETE


def summarize_in_a_process_that_ends(db_path: Path, document_id: int) -> None:
    """Another Hearth process marks the document summarizing, then ends without finishing
    it: what a crash mid-summary leaves behind (its pid is then a real dead one)."""
    code = (
        "import sys; from pathlib import Path; from app.store import DocumentStore, History\n"
        "with History.open(Path(sys.argv[1])) as history:\n"
        "    DocumentStore(history).set_status(int(sys.argv[2]), 'summarizing')\n"
    )
    subprocess.run([sys.executable, "-c", code, str(db_path), str(document_id)], check=True)


def test_orphaned_summaries_become_interrupted_on_reopen(db_path: Path) -> None:
    with History.open(db_path) as history:
        store = DocumentStore(history)
        cid = history.create_conversation()
        orphan, live, stopped = (add(store, cid, chunks_of("text")) for _ in range(3))
        store.save_part(orphan, 0, 0, 0, 0, "a note written before the crash")
        store.set_status(orphan, "stopped")
        store.set_status(stopped, "stopped")
        summarize_in_a_process_that_ends(db_path, orphan)
        assert store.get(orphan).status is DocumentStatus.SUMMARIZING
        # `live` was added, so marked summarizing, by this process, which is still running.

    with History.open(db_path) as history:
        store = DocumentStore(history)
        assert store.get(orphan).status is DocumentStatus.INTERRUPTED
        assert store.parts(orphan)[0].text == "a note written before the crash"
        assert store.get(live).status is DocumentStatus.SUMMARIZING
        assert store.get(stopped).status is DocumentStatus.STOPPED
        store.set_status(live, "done")
        store.set_status(stopped, "done")
        assert store.find_resumable("aa" * 32, "brief|default|qwen|8192") == store.get(orphan)


def test_an_older_history_gains_summary_writers(db_path: Path) -> None:
    """A summary left summarizing before pids were recorded has no known writer: it is
    interrupted once the migration runs; finished documents and all chunks stay as they were."""
    db_path.parent.mkdir(parents=True)
    with sqlite_utils.Database(db_path) as old:
        MIGRATIONS.apply(old, stop_before="m005_documents_writer_pid")
        stamp = "2025-01-01T00:00:00.000Z"
        old.table("conversations").insert(
            {"id": 1, "title": "Old", "created_at": stamp, "updated_at": stamp}
        )
        document = {
            "conversation_id": 1,
            "path": "/old/report.txt",
            "name": "report.txt",
            "kind": "text",
            "size_bytes": 10,
            "sha256": "bb" * 32,
            "chunk_budget": 500,
            "job_key": "old",
            "added_at": stamp,
            "updated_at": stamp,
        }
        old.table("documents").insert({"id": 1, **document, "status": "summarizing"})
        old.table("documents").insert({"id": 2, **document, "status": "done"})
        old.table("document_chunks").insert(
            {"document_id": 2, "idx": 0, "text": "The harbour froze.", "tokens": 5}
        )
        assert "writer_pid" not in old.table("documents").columns_dict

    with History.open(db_path) as history:
        assert "writer_pid" in history.db.table("documents").columns_dict
        store = DocumentStore(history)
        assert store.get(1).status is DocumentStatus.INTERRUPTED
        assert store.get(2).status is DocumentStatus.DONE
        assert [chunk.text for chunk in store.search_chunks(2, "harbour")] == ["The harbour froze."]


def test_finding_unfinished_replies_reads_only_the_index_of_them(db_path: Path) -> None:
    """Every open looks for streaming replies: that must not read every message."""
    with History.open(db_path) as history:
        query = f"EXPLAIN QUERY PLAN {working_rows_query('messages')}"
        plan = " ".join(row[3] for row in history.db.execute(query, [MessageStatus.STREAMING]))
    assert plan == "SEARCH messages USING INDEX idx_messages_streaming (status=?)"
