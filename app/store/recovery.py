"""Finding replies whose writer died.

A streaming reply records the pid of the process writing it. If Hearth (or the machine)
crashed mid-reply, that row would say "streaming" forever; at the next open it becomes
"interrupted" instead, keeping the text written so far. Rows whose writer is still alive
(another window of this Hearth, or this very process) are left alone.
"""

from __future__ import annotations

import os
import sys

from sqlite_utils import Database

from app.store.models import MessageStatus


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
    rows = db.execute(
        "SELECT id, writer_pid FROM messages WHERE status = ?", [MessageStatus.STREAMING.value]
    ).fetchall()
    orphans = [mid for mid, pid in rows if pid is None or not pid_is_alive(pid)]
    if not orphans:
        return []
    with db.atomic():
        for mid in orphans:
            # updated_at stays: it says when the last text arrived, which is more useful.
            db.execute(
                "UPDATE messages SET status = ? WHERE id = ? AND status = ?",
                [MessageStatus.INTERRUPTED.value, mid, MessageStatus.STREAMING.value],
            )
    return orphans
