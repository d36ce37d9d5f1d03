"""Stop sequences (`"stop"` in a request), applied to the engine's stream.

The engine has no stop strings of its own, so the API cuts the reply here: text that might
be the start of a stop string is held back until it is clearly not; when one appears, the
text before it is the reply, the engine is asked to stop, and the reply ends with finish
reason "stop". The stop string itself is never sent (as with OpenAI).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Iterator, Sequence

from app.engine.protocol import ChatEvent, ChatStats, TextPiece


def cut_at_stops(
    events: Iterable[ChatEvent], stops: Sequence[str], cancel: Callable[[], None]
) -> Iterator[ChatEvent]:
    """`events` up to the first of `stops`; the stream is read to its end either way, so
    the engine finishes its own bookkeeping."""
    if not stops:
        yield from events
        return
    hold = max(len(stop) for stop in stops) - 1
    pending, cut = "", False
    for event in events:
        if isinstance(event, ChatStats):
            if pending and not cut:
                yield TextPiece(pending)
            yield dataclasses.replace(event, finish_reason="stop") if cut else event
            continue
        if cut:
            continue  # what the engine wrote before it heard the stop
        pending += event.text
        at = first_stop(pending, stops)
        if at is not None:
            if at:
                yield TextPiece(pending[:at])
            cut = True
            cancel()
        elif len(pending) > hold:
            yield TextPiece(pending[: len(pending) - hold])
            pending = pending[len(pending) - hold :]


def first_stop(text: str, stops: Sequence[str]) -> int | None:
    """Where the earliest stop string in `text` begins, or None."""
    found = [at for at in (text.find(stop) for stop in stops) if at >= 0]
    return min(found) if found else None
