"""A copy of the history taken before its schema is upgraded.

If an upgrade goes wrong, or the user goes back to an older Hearth, the backup beside the
file still opens. SQLite's backup API is used rather than copying bytes because it gives a
consistent copy even with a WAL file beside the database.
"""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path

from app.store.timestamps import compact_utc_timestamp

logger = logging.getLogger("hearth.store")


def backup_path_for(path: Path) -> Path:
    """`hearth.db` -> `hearth.backup-20261121T010203.456Z.db` beside it (never an existing
    file)."""
    stem = f"{path.stem}.backup-{compact_utc_timestamp()}"
    candidate = path.with_name(f"{stem}.db")
    counter = 2
    while candidate.exists():
        candidate = path.with_name(f"{stem}-{counter}.db")
        counter += 1
    return candidate


def backup_database(source: sqlite3.Connection, path: Path) -> Path:
    """Copy the database behind `source` (whose file is `path`) and return the copy's path.

    `source` must not hold a write transaction: Python's backup retries forever while its
    own connection keeps the lock. A partial copy is removed before the error propagates.
    """
    target = backup_path_for(path)
    destination = sqlite3.connect(target)
    try:
        source.backup(destination)
    except BaseException:
        destination.close()
        target.unlink(missing_ok=True)
        raise
    destination.close()
    logger.info("Backed up %s to %s before upgrading its schema", path, target)
    return target
