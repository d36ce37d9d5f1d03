"""The one rule for a reply that streams into a conversation.

Every job that writes a model's reply into the history (a chat turn, a summary's final call,
an e-mail draft) writes it through `stream_reply`, so every reply ends the same way:

- complete: the model finished (end of text, its length limit, or the context's);
- stopped: the user asked (the engine answered "cancelled"), or the caller stopped
  listening (Ctrl+C, a closed window): the text so far is kept;
- failed: an error (the reason people read is stored with it; a bug is stored as an
  internal error, its traceback goes to the log) — an engine crash included;
- interrupted: only ever set later, when the writing process died (store/recovery.py).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Generator, Iterable, Mapping
from dataclasses import dataclass

from app.engine.protocol import ChatEvent, ChatStats, TextPiece
from app.errors import HearthError
from app.store import MessageStatus, ReplyWriter

FINISH_STATUS = {
    "stop": MessageStatus.COMPLETE,
    "length": MessageStatus.COMPLETE,
    "context": MessageStatus.COMPLETE,
    "cancelled": MessageStatus.STOPPED,
}
INTERNAL_ERROR = "Hearth hit an internal error; details are in the log."


@dataclass(frozen=True)
class WrittenReply:
    message_id: int | None  # None: a complete reply with no text (nothing to store)
    status: MessageStatus
    stats: ChatStats


def stream_reply(
    writer: ReplyWriter,
    events: Iterable[ChatEvent],
    *,
    ending: str = "",
    note: Mapping[str, object] | None = None,
) -> Generator[TextPiece, None, WrittenReply]:
    """Write the engine's `events` through `writer`, yielding each piece of text.

    `ending` (e.g. a "Sources:" line) is added to a reply the model finished, never to a
    stopped one; `note` is kept with the reply's statistics (e.g. which refinement made
    this version of a draft)."""
    finished = False
    try:
        stats: ChatStats | None = None
        for event in events:  # to the end, so the source finishes its own bookkeeping
            if isinstance(event, TextPiece):
                writer.append(event.text)
                yield event
            else:
                stats = event
        assert stats is not None, "the engine always ends a reply with its statistics"
        status = FINISH_STATUS[stats.finish_reason]
        if ending and status is MessageStatus.COMPLETE:
            writer.append(ending)
            yield TextPiece(ending)
        finished = True
        record = {**stats_record(stats), **(note or {})}
        return WrittenReply(writer.finish(status, stats=record), status, stats)
    except Exception as exc:
        finished = True
        record_failure(writer, exc)
        raise
    finally:
        if not finished:  # the caller stopped listening: keep what we have
            writer.finish(MessageStatus.STOPPED)


def record_failure(writer: ReplyWriter, error: Exception) -> None:
    """End the reply as failed, with the reason people read (a bug: an internal error)."""
    reason = error.message if isinstance(error, HearthError) else INTERNAL_ERROR
    writer.finish(MessageStatus.FAILED, error=reason)


def stats_record(stats: ChatStats) -> dict[str, object]:
    """The stats as stored with the reply (timings rounded: they are figures, not data)."""
    record: dict[str, object] = dataclasses.asdict(stats)
    record["ttft_ms"] = round(stats.ttft_ms, 1)
    record["tokens_per_s"] = round(stats.tokens_per_s, 2)
    return record
