"""Writing an assistant reply while it streams in.

The rule (see DESIGN.md): the reply's row is created at the first piece of text and
rewritten at most every `flush_interval` seconds, so a crash loses at most that much; the
row says "streaming" with this process's pid until `finish` sets its final status. If the
process dies first, the next open marks the row "interrupted" (see recovery.py).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Mapping
from typing import Any

from app.store.history import History
from app.store.models import FINAL_STATUSES, MessageStatus, Role


class ReplyWriter:
    """Accumulates one streamed reply and writes it to the history as it grows.

    Use from the thread that owns `history`. `clock` returns seconds (monotonic); tests
    pass a fake they advance by hand.
    """

    def __init__(
        self,
        history: History,
        conversation_id: int,
        parent_id: int | None,
        *,
        model: str | None = None,
        flush_interval: float = 0.5,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._history = history
        self._conversation_id = conversation_id
        self._parent_id = parent_id
        self._model = model
        self._flush_interval = flush_interval
        self._clock = clock
        self._pieces: list[str] = []
        self._message_id: int | None = None
        self._last_write = 0.0
        self._finished = False

    @classmethod
    def continuing(
        cls, history: History, message_id: int, *, flush_interval: float = 0.5
    ) -> ReplyWriter:
        """A writer that appends to an unfinished reply already stored (Continue).

        The row goes back to "streaming" at once, owned by this process, so a crash while
        continuing is recovered like any other; its text so far is kept as the start.
        """
        message = history.get_message(message_id)
        writer = cls(
            history,
            message.conversation_id,
            message.parent_id,
            model=message.model,
            flush_interval=flush_interval,
        )
        writer._pieces.append(message.content)
        writer._message_id = message_id
        history.update_message(
            message_id, status=MessageStatus.STREAMING, clear_error=True, writer_pid=os.getpid()
        )
        writer._last_write = writer._clock()
        return writer

    @property
    def message_id(self) -> int | None:
        """The reply's row id; None until the first piece arrives."""
        return self._message_id

    @property
    def text(self) -> str:
        """Everything received so far."""
        return "".join(self._pieces)

    def append(self, text: str) -> None:
        """Add a piece; writes the row when created or when the interval has passed.

        Empty pieces are ignored: they must not create a row for a reply that never began.
        """
        self._require_open()
        if not text:
            return
        self._pieces.append(text)
        if self._message_id is None:
            self._create(MessageStatus.STREAMING)
        elif self._clock() - self._last_write >= self._flush_interval:
            self._history.update_message(self._message_id, content=self.text)
            self._last_write = self._clock()

    def finish(
        self,
        status: str,
        *,
        stats: Mapping[str, Any] | None = None,
        error: str | None = None,
    ) -> int | None:
        """Write the full text and the final status; return the row id.

        A stopped or failed reply with no text still gets a row, so the failure shows in
        the conversation; a complete reply with no text gets none (returns None).
        """
        self._require_open()
        final = MessageStatus(status)
        if final not in FINAL_STATUSES:
            raise ValueError(f"{status!r} is not a final status")
        self._finished = True
        if self._message_id is None:
            if final is MessageStatus.COMPLETE:
                return None
            return self._create(final, stats=stats, error=error)
        self._history.update_message(
            self._message_id, content=self.text, status=final, stats=stats, error=error
        )
        return self._message_id

    def _create(
        self,
        status: MessageStatus,
        *,
        stats: Mapping[str, Any] | None = None,
        error: str | None = None,
    ) -> int:
        streaming = status is MessageStatus.STREAMING
        self._message_id = self._history.add_message(
            self._conversation_id,
            Role.ASSISTANT,
            self.text,
            parent_id=self._parent_id,
            status=status,
            model=self._model,
            stats=stats,
            error=error,
            writer_pid=os.getpid() if streaming else None,
        )
        self._last_write = self._clock()
        return self._message_id

    def _require_open(self) -> None:
        if self._finished:
            raise RuntimeError("this reply is already finished")
