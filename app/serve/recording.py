"""Whether a request's conversation is kept, and how.

By default the local API keeps nothing: the words of an editor or a script are theirs, and
the history is the user's own conversations. With storing on (`hearth serve --store`), each
request becomes a new conversation in the history, titled from its first user message: the
messages as the client sent them (system messages as the system prompt), then the reply,
written while it streams by the same rule as every reply (complete, stopped if the client
went away, failed with the reason).
"""

from __future__ import annotations

from collections.abc import Generator, Iterable
from pathlib import Path

from app.engine.protocol import ChatEvent, ChatStats, TextPiece
from app.serve.wire import ChatRequest
from app.store import History, ReplyWriter
from app.tasks.reply_stream import stream_reply

UNTITLED = "Local API request"

Reply = Generator[TextPiece, None, ChatStats]


def unrecorded(events: Iterable[ChatEvent]) -> Reply:
    """The reply's text, passed on; nothing is written anywhere."""
    stats: ChatStats | None = None
    for event in events:
        if isinstance(event, TextPiece):
            yield event
        else:
            stats = event
    assert stats is not None, "the engine always ends a reply with its statistics"
    return stats


def recorded(
    database: Path, request: ChatRequest, model: str, events: Iterable[ChatEvent]
) -> Reply:
    """The reply's text, passed on while the request and the reply are written to the
    history in `database` (opened here: SQLite connections belong to their thread)."""
    with History.open(database) as history:
        cid, parent = _store_request(history, request, model)
        written = yield from stream_reply(ReplyWriter(history, cid, parent, model=model), events)
        return written.stats


def _store_request(history: History, request: ChatRequest, model: str) -> tuple[int, int | None]:
    """A new conversation holding the request's messages: (its id, the last message's id,
    None when the request had only a system prompt)."""
    system = "\n\n".join(m.content for m in request.messages if m.role == "system")
    turns = [m for m in request.messages if m.role != "system"]
    has_user = any(m.role == "user" for m in turns)
    cid = history.create_conversation(
        title="" if has_user else UNTITLED,
        model=model,
        system_prompt=system or None,
        sampling={
            "temperature": request.sampling.temperature,
            "max_tokens": request.sampling.max_tokens,
        },
    )
    parent: int | None = None
    for message in turns:
        parent = history.add_message(
            cid, message.role, message.content, parent_id=parent, model=model
        )
    return cid, parent
