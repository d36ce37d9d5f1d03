"""Opening the history database: the one place a connection is set up.

Order matters, because a file we cannot understand must be left exactly as it was:
1. connect and read the migration records (read-only): refuse a file from a newer Hearth
   or one that is not SQLite at all;
2. if an existing file has pending migrations, back it up beside itself;
3. switch to WAL (outside any transaction: SQLite refuses it inside one) so each thread's
   connection can read while another writes;
4. apply the migrations under `BEGIN IMMEDIATE`, so two threads opening at once cannot
   both run the same migration;
5. mark replies and summaries whose writer died as interrupted.
"""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path

from sqlite_utils import Database

from app.errors import DatabaseTooNewError
from app.store.backup import backup_database
from app.store.failures import sqlite_failures
from app.store.migrations import MIGRATIONS, known_migration_names
from app.store.recovery import recover_interrupted, recover_interrupted_summaries

logger = logging.getLogger("hearth.store")

BUSY_TIMEOUT_MS = 5000


def open_database(path: Path) -> Database:
    """Open (creating if needed) the history at `path`, migrated and recovered.

    Raises DatabaseTooNewError for a file from a newer Hearth and StoreError for a file
    that is not a history database or cannot be used (full disk, no permission...).
    The returned Database belongs to the calling thread.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    existed = path.exists() and path.stat().st_size > 0
    with sqlite_failures(path):
        conn = sqlite3.connect(path)
    try:
        with sqlite_failures(path):
            db = _prepare(conn, path, existed)
    except BaseException:
        conn.close()
        raise
    return db


def _prepare(conn: sqlite3.Connection, path: Path, existed: bool) -> Database:
    # No plugins: third-party sqlite-utils plugins have no business in a private history.
    db = Database(conn, execute_plugins=False)
    db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    db.execute("PRAGMA foreign_keys = ON")
    _refuse_if_too_new(db, path)
    if existed and MIGRATIONS.pending(db):
        backup_database(conn, path)
    db.enable_wal()
    _apply_migrations(db)
    interrupted = recover_interrupted(db)
    if interrupted:
        logger.info("Marked %d unfinished replies as interrupted", len(interrupted))
    summaries = recover_interrupted_summaries(db)
    if summaries:
        logger.info("Marked %d unfinished summaries as interrupted", len(summaries))
    return db


def _refuse_if_too_new(db: Database, path: Path) -> None:
    """Raise DatabaseTooNewError if the file has migrations this version does not know."""
    applied = [m.name for m in MIGRATIONS.applied(db)]
    unknown = [name for name in applied if name not in known_migration_names()]
    if unknown:
        raise DatabaseTooNewError(
            f"This history was written by a newer version of Hearth ({path} has "
            f"changes this version does not know: {', '.join(unknown)}). "
            "Update Hearth to open it; your conversations are untouched."
        )


def _apply_migrations(db: Database) -> None:
    if not MIGRATIONS.pending(db):
        return  # the common case: take no write lock at all
    db.execute("BEGIN IMMEDIATE")
    try:
        MIGRATIONS.apply(db)  # nested atomic() blocks become savepoints
    except BaseException:
        db.rollback()
        raise
    db.commit()
