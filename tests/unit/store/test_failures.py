"""Environment failures reach people as StoreError; the history stays consistent."""

from __future__ import annotations

import sqlite3

import pytest

from app.errors import StoreError
from app.store import History
from app.store.failures import sqlite_failures


def test_a_full_disk_is_a_store_error(history: History) -> None:
    cid = history.create_conversation()
    history.add_message(cid, "user", "before")
    pages = history.db.execute("PRAGMA page_count").fetchone()[0]
    # SQLite's own size cap: writes past it fail exactly as on a full disk.
    history.db.execute(f"PRAGMA max_page_count = {pages}")

    with pytest.raises(StoreError, match="disk is full"):
        history.add_message(cid, "assistant", "x" * 200_000)

    assert [m.content for m in history.active_path(cid)] == ["before"]


def test_sql_bugs_are_not_disguised(history: History) -> None:
    with pytest.raises(sqlite3.OperationalError, match="no such column"), sqlite_failures():
        history.db.execute("SELECT nope FROM messages")
