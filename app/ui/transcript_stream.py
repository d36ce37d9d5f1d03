"""A reply streaming into the transcript's tail, rendered at a cost that does not grow.

While a reply streams, its finished Markdown blocks are rendered once, as "segments", and
only the unfinished rest (the "live" segment) is rendered again, at most every 50 ms and
less often when renders get expensive, so input is never starved. When it ends, that rest
gets the final note, fully highlighted.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace

from PySide6.QtCore import QObject, Qt, QTimer

from app.store import MessageStatus, Role
from app.tasks.conversation_view import MessageView
from app.ui.code_copies import CodeCopies
from app.ui.markdown_html import RenderedMessage, render_markdown, split_stream
from app.ui.message_html import speaker_line, status_note
from app.ui.transcript_document import HEADER, TranscriptDocument

MIN_RENDER_INTERVAL_MS = 50  # at most 20 renders of a streaming reply per second
MAX_RENDER_INTERVAL_MS = 400
RENDER_COST_FACTOR = 3  # wait this many times the last render's cost before the next one
LIVE_HIGHLIGHT_LIMIT = 1500  # an open code block longer than this streams uncoloured


@dataclass
class _Stream:
    """The streaming reply: `text[:stable]` is in finished segments (whose copy links are
    `codes`); the rest is the live segment, which starts at document position `live_start`
    (None: not in the document yet) with a block rendered as `live_tag`."""

    message_id: int | None
    text: str
    stable: int = 0
    live_start: int | None = None
    live_tag: str = HEADER
    codes: list[int] = field(default_factory=list)
    live_codes: list[int] = field(default_factory=list)


class ReplyStream(QObject):
    """Renders a reply into the tail of a `TranscriptDocument` as its text arrives.

    Renders are frequent and emit nothing; `render_count` and `last_render_ms` tell tests
    and benchmarks about them.
    """

    def __init__(self, document: TranscriptDocument, copies: CodeCopies, parent: QObject) -> None:
        super().__init__(parent)
        self._document = document
        self._copies = copies
        self._state: _Stream | None = None
        self._interval_ms = MIN_RENDER_INTERVAL_MS
        self.render_count = 0
        self.last_render_ms = 0.0
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)  # never under 50 ms
        self._timer.timeout.connect(self._render_due)

    @property
    def active(self) -> bool:
        return self._state is not None

    @property
    def message_id(self) -> int | None:
        return None if self._state is None else self._state.message_id

    @property
    def text(self) -> str:
        return "" if self._state is None else self._state.text

    @property
    def live_start(self) -> int | None:
        return None if self._state is None else self._state.live_start

    def begin(self, message_id: int | None, continued: str | None = None) -> None:
        """Start a reply as a new message at the end, or (`continued`: the tail's text) in
        the tail, whose blocks it takes over."""
        if continued is None:
            self._state = _Stream(message_id, "")
        else:
            self._state = _Stream(message_id, continued, live_start=self._document.tail_start)
        self._render_live()

    def append(self, text: str) -> None:
        """Add text; it is rendered at the next tick."""
        if self._state is None:
            raise RuntimeError("append_stream() without begin_streaming()")
        self._state.text += text
        if not self._timer.isActive():
            self._timer.start(self._interval_ms)

    def flush(self) -> None:
        """Render text appended since the last render now instead of at the next tick."""
        if self._timer.isActive():
            self._timer.stop()
            self._render_due()

    def finish(self, note: str) -> list[int]:
        """Render the unfinished rest once more, fully highlighted and ending with `note`
        instead of "writing…", and stop; the copy-link indices now in the tail."""
        self._timer.stop()
        self._render_live(note, None)
        return self.stop()

    def stop(self) -> list[int]:
        """Stop where it is; the copy-link indices of what it wrote (now the tail's)."""
        self._timer.stop()
        state, self._state = self._state, None
        self._interval_ms = MIN_RENDER_INTERVAL_MS
        return [] if state is None else state.codes + state.live_codes

    def shift(self, added: int) -> None:
        """`added` characters were inserted above the reply."""
        if self._state is not None and self._state.live_start is not None:
            self._state.live_start += added

    def _render_due(self) -> None:
        started = time.perf_counter()
        state = self._state
        if state is None:
            return
        split = split_stream(state.text[state.stable :])
        if split.stable_length:
            self._finish_live_segment(state, split.stable_length, split.live_first_tag)
        self._render_live()
        self.render_count += 1
        # A long unfinished block costs more to render: wait longer so input is not starved.
        self.last_render_ms = (time.perf_counter() - started) * 1000
        cost_ms = RENDER_COST_FACTOR * self.last_render_ms
        self._interval_ms = int(min(MAX_RENDER_INTERVAL_MS, max(MIN_RENDER_INTERVAL_MS, cost_ms)))

    def _finish_live_segment(self, state: _Stream, length: int, next_tag: str) -> None:
        """Render the first `length` characters of the live text as a finished segment;
        what follows becomes a new live segment starting with a `next_tag` block."""
        rendered = self._render_segment(state, state.text[state.stable : state.stable + length])
        self._copies.drop(state.live_codes)
        state.codes += self._copies.register(rendered)
        self._write_live(state, rendered.html)
        state.stable += length
        state.live_start, state.live_tag, state.live_codes = None, next_tag, []

    def _render_live(
        self, note: str | None = None, limit: int | None = LIVE_HIGHLIGHT_LIMIT
    ) -> None:
        """Render the unfinished part of the reply again, ending with `note` (default:
        "writing…"); code blocks longer than `limit` stay uncoloured."""
        state = self._state
        assert state is not None
        rendered = self._render_segment(state, state.text[state.stable :], limit)
        if note is None:
            note = status_note(MessageStatus.STREAMING, None, state.message_id or 0)
        self._copies.drop(state.live_codes)
        state.live_codes = self._copies.register(rendered)
        state.live_start = self._write_live(state, rendered.html + note)

    def _write_live(self, state: _Stream, html_text: str) -> int:
        """Write over the live segment; a segment with the speaker line starts the tail."""
        start = self._document.write_segment(state.live_start, html_text, state.live_tag)
        if state.live_tag == HEADER:
            self._document.tail_start = start
        return start

    def _render_segment(
        self, state: _Stream, text: str, highlight_limit: int | None = None
    ) -> RenderedMessage:
        """`text` of the reply as HTML, with the speaker line if it comes first."""
        body = render_markdown(text, self._copies.next_index, highlight_limit)
        if state.live_tag != HEADER:
            return body
        return RenderedMessage(speaker_line(Role.ASSISTANT) + body.html, body.code_blocks)


def streamed_message(
    text: str, message_id: int | None, last: MessageView | None, into_last: bool
) -> MessageView:
    """What was streamed, as a complete message (when the caller has no stored one):
    the last message continued (`into_last`), or a new reply after it."""
    if into_last and last is not None:
        return replace(last, content=text, status=MessageStatus.COMPLETE, error=None)
    return MessageView.streamed(None if last is None else last.conversation_id, text, message_id)
