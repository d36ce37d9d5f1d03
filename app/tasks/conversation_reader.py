"""The window's reads of the history, made on a worker thread, never on the UI thread.

What grows with use is read here: a long conversation, full-text search over all of them,
the path a branch switch lands on. The reader keeps one SQLite connection per thread that
uses it (connections belong to their thread); `close()` ends the calling thread's.
"""

from __future__ import annotations

import threading
from pathlib import Path

from app.store import History, SearchHit
from app.tasks.branches import switch_branch
from app.tasks.conversation_view import ConversationView, conversation_view


class ConversationReader:
    """Qt-free: the window runs its methods as jobs on its reading thread."""

    def __init__(self, database: Path) -> None:
        self._database = database
        self._local = threading.local()

    def view(self, conversation_id: int, *, last_message_id: int | None = None) -> ConversationView:
        return conversation_view(self._history(), conversation_id, last_message_id=last_message_id)

    def search(self, query: str, *, limit: int = 50, prefix_last: bool = True) -> list[SearchHit]:
        """As you type: the last word may be the start of a word."""
        return self._history().search(query, limit=limit, prefix_last=prefix_last)

    def switch_branch(self, message_id: int, step: int) -> int:
        """Show the sibling `step` places away; its newest path becomes the active one (a
        write, made here because finding that path walks a subtree that grows)."""
        return switch_branch(self._history(), message_id, step)

    def close(self) -> None:
        """Close this thread's connection (call it on the thread that used the reader)."""
        history: History | None = getattr(self._local, "history", None)
        if history is not None:
            history.close()
            self._local.history = None

    def _history(self) -> History:
        history: History | None = getattr(self._local, "history", None)
        if history is None:
            history = History.open(self._database)
            self._local.history = history
        return history
