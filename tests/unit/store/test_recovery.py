"""Replies whose writer died become "interrupted" at the next open; live ones do not."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from app.store import History, MessageStatus
from app.store.recovery import pid_is_alive


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
