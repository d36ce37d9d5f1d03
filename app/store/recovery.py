"""Finding replies and summaries whose writer died.

A streaming reply, and a document being summarized, record the pid of the process writing
them. If Hearth (or the machine) crashed mid-way, that row would say "streaming" (or
"summarizing") forever; at the next open it becomes "interrupted" instead, keeping the text
and the summary parts written so far (an interrupted summary resumes like a stopped one).
Rows whose writer is still alive (another window of this Hearth, or this very process) are
left alone; a row with no pid (written before pids were recorded) counts as orphaned.
"""

from __future__ import annotations

import os
import sys

from sqlite_utils import Database

from app.store.models import DocumentStatus, MessageStatus


def pid_is_alive(pid: int) -> bool:
    """Whether a process with this pid exists (a reused pid counts as alive)."""
    if pid <= 0:
        return False
    return _process_exists(pid)


if sys.platform == "win32":
    import ctypes

    def _process_exists(pid: int) -> bool:
        # os.kill(pid, 0) would send CTRL_C_EVENT on Windows: ask the kernel instead.
        kernel32 = ctypes.windll.kernel32
        query_limited_information, still_active, access_denied = 0x1000, 259, 5
        handle = kernel32.OpenProcess(query_limited_information, False, pid)
        if not handle:
            return bool(kernel32.GetLastError() == access_denied)
        try:
            code = ctypes.c_ulong()
            ok = kernel32.GetExitCodeProcess(handle, ctypes.byref(code))
            return bool(ok) and code.value == still_active
        finally:
            kernel32.CloseHandle(handle)

else:

    def _process_exists(pid: int) -> bool:
        try:
            os.kill(pid, 0)  # signal 0: only checks that the process exists
        except ProcessLookupError:
            return False
        except PermissionError:
            return True  # it exists, it just belongs to someone else
        return True


def recover_interrupted(db: Database) -> list[int]:
    """Mark streaming messages whose writer is gone as interrupted; return their ids."""
    return _mark_orphans(
        db, "messages", MessageStatus.STREAMING.value, MessageStatus.INTERRUPTED.value
    )


def recover_interrupted_summaries(db: Database) -> list[int]:
    """Mark summarizing documents whose writer is gone as interrupted; return their ids."""
    return _mark_orphans(
        db, "documents", DocumentStatus.SUMMARIZING.value, DocumentStatus.INTERRUPTED.value
    )


def working_rows_query(table: str) -> str:
    """Rows of `table` in the status given as the one parameter, with their writer's pid.

    Every open runs it for messages: the partial index of streaming messages (migration
    m007) spares it reading every message (SQLite checks a bound value against a partial
    index's condition)."""
    return f"SELECT id, writer_pid FROM {table} WHERE status = ?"


def _mark_orphans(db: Database, table: str, working: str, interrupted: str) -> list[int]:
    """Set rows of `table` in status `working` whose writer is dead to `interrupted`."""
    rows = db.execute(working_rows_query(table), [working])
    orphans = [row_id for row_id, pid in rows.fetchall() if pid is None or not pid_is_alive(pid)]
    if not orphans:
        return []
    with db.atomic():
        for row_id in orphans:
            # updated_at stays: it says when the last text arrived, which is more useful.
            db.execute(
                f"UPDATE {table} SET status = ? WHERE id = ? AND status = ?",
                [interrupted, row_id, working],
            )
    return orphans
