"""Opening the history file: migrations, backups, refusals."""

from __future__ import annotations

import logging
import sqlite3
import threading
from pathlib import Path

import pytest
import sqlite_utils

from app.errors import DatabaseTooNewError, StoreError
from app.store import MIGRATIONS, History, open_database
from app.store.migrations import known_migration_names


def backups_of(path: Path) -> list[Path]:
    return sorted(path.parent.glob(f"{path.stem}.backup-*.db"))


def applied_names(path: Path) -> list[str]:
    conn = sqlite3.connect(path)
    try:
        rows = conn.execute("SELECT name FROM _sqlite_migrations ORDER BY id").fetchall()
    finally:
        conn.close()
    return [name for (name,) in rows]


def test_blank_file_gets_the_whole_schema(db_path: Path) -> None:
    db = open_database(db_path)
    try:
        assert {"conversations", "messages", "messages_fts"} <= set(db.table_names())
        assert db.table("messages").detect_fts() == "messages_fts"
        assert {"messages_ai", "messages_ad", "messages_au"} <= set(db.triggers_dict)
        indexed = {tuple(index.columns) for index in db.table("messages").indexes}
        assert {("conversation_id",), ("parent_id",)} <= indexed
        assert db.journal_mode == "wal"
        assert db.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        assert db.execute("PRAGMA busy_timeout").fetchone()[0] == 5000
    finally:
        db.close()
    assert set(applied_names(db_path)) == known_migration_names()
    assert backups_of(db_path) == []


def test_reopening_applies_nothing_and_makes_no_backup(db_path: Path) -> None:
    open_database(db_path).close()
    before = applied_names(db_path)
    open_database(db_path).close()
    assert applied_names(db_path) == before
    assert backups_of(db_path) == []


def test_older_file_is_backed_up_before_upgrading(
    db_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    db_path.parent.mkdir(parents=True)
    with sqlite_utils.Database(db_path) as old:
        MIGRATIONS.apply(old, stop_before="m002_create_messages")
        old.table("conversations").insert({"title": "Kept", "created_at": "x", "updated_at": "x"})
    with caplog.at_level(logging.INFO, logger="hearth.store"):
        open_database(db_path).close()

    [backup] = backups_of(db_path)
    assert "Backed up" in caplog.text
    copy = sqlite3.connect(backup)
    try:
        titles = copy.execute("SELECT title FROM conversations").fetchall()
        migrations = copy.execute("SELECT name FROM _sqlite_migrations").fetchall()
    finally:
        copy.close()
    assert titles == [("Kept",)]
    assert migrations == [("m001_create_conversations",)]
    assert set(applied_names(db_path)) == known_migration_names()


def test_file_from_a_newer_hearth_is_refused_untouched(db_path: Path) -> None:
    with History.open(db_path) as history:
        history.create_conversation(title="Mine")
        history.db.table("_sqlite_migrations").insert(
            {"migration_set": "hearth", "name": "m999_from_the_future", "applied_at": "x"}
        )
    before = db_path.read_bytes()

    with pytest.raises(DatabaseTooNewError) as caught:
        open_database(db_path)

    assert "newer version of Hearth" in caught.value.message
    assert "m999_from_the_future" in caught.value.message
    assert "untouched" in caught.value.message
    assert db_path.read_bytes() == before
    assert backups_of(db_path) == []


def test_other_migration_sets_do_not_count_as_newer(db_path: Path) -> None:
    with History.open(db_path) as history:
        history.db.table("_sqlite_migrations").insert(
            {"migration_set": "some-plugin", "name": "m001_other", "applied_at": "x"}
        )
    open_database(db_path).close()


def test_a_file_that_is_not_sqlite_is_refused(db_path: Path) -> None:
    db_path.parent.mkdir(parents=True)
    db_path.write_bytes(b"These are my notes, not a database.\n" * 200)
    before = db_path.read_bytes()

    with pytest.raises(StoreError) as caught:
        open_database(db_path)

    assert str(db_path) in caught.value.message
    assert "Move it" in caught.value.message
    assert db_path.read_bytes() == before


def test_missing_parent_folders_are_created(tmp_path: Path) -> None:
    path = tmp_path / "a" / "b" / "history.db"
    open_database(path).close()
    assert path.is_file()


def test_threads_opening_a_new_file_at_once_both_succeed(db_path: Path) -> None:
    """Each thread owns its connection; the migration lock keeps them from colliding."""
    start = threading.Barrier(4)
    errors: list[BaseException] = []

    def open_and_write() -> None:
        try:
            start.wait()
            with History.open(db_path) as history:
                history.create_conversation(title="from a thread")
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=open_and_write) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    with History.open(db_path) as history:
        assert len(history.list_conversations()) == 4
