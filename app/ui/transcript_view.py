"""The transcript: one conversation's messages, rendered safely, streamed cheaply.

Model output is untrusted. It is rendered by `markdown_html` (raw HTML escaped, images as
text, only http/https/mailto links kept), links are never followed by the view itself, and
no resource is ever loaded for it (see `TranscriptView.loadResource`).

The document is a sentinel line ("Scroll up for N earlier messages") followed by a range of
blocks per message. Only the last range (the "tail") is ever rewritten: a reply streams
there. While it streams, its finished Markdown blocks are rendered once, as "segments", and
only the unfinished rest is rendered again (at most every 50 ms), so the cost of an update
does not grow with the reply. When it ends, that rest gets the final note (the whole reply
is rendered again only if the stored text differs from what was streamed).

Earlier messages are added above, in pages, when the user scrolls to the top, so opening a
long conversation materializes only its last messages.
"""

from __future__ import annotations

import functools
import html
import time
from dataclasses import dataclass, field, replace

from PySide6.QtCore import QByteArray, Qt, QTimer, QUrl, Signal
from PySide6.QtGui import (
    QColor,
    QImage,
    QResizeEvent,
    QTextBlockFormat,
    QTextCharFormat,
    QTextCursor,
    QTextDocument,
)
from PySide6.QtWidgets import QApplication, QTextBrowser, QWidget

from app.store import Message, MessageStatus, Role
from app.ui.markdown_html import (
    ACTION_SCHEME,
    COPY_SCHEME,
    HEADER_BOTTOM_MARGIN,
    HEADER_TOP_MARGIN,
    MUTED,
    RenderedMessage,
    is_safe_link,
    render_markdown,
    render_message,
    speaker_line,
    split_stream,
    status_note,
)

INITIAL_MESSAGES = 60  # materialized when a conversation opens
PAGE_MESSAGES = 20  # added above when the user reaches the top (~1-2 ms each)
MIN_RENDER_INTERVAL_MS = 50  # at most 20 renders of a streaming reply per second
MAX_RENDER_INTERVAL_MS = 400
RENDER_COST_FACTOR = 3  # wait this many times the last render's cost before the next one
LIVE_HIGHLIGHT_LIMIT = 1500  # an open code block longer than this streams uncoloured
BOTTOM_SLACK_PX = 4  # "at the bottom" tolerates a few pixels of rounding
HEADER = "header"  # the first block of a message: the speaker line
MESSAGE_ACTIONS = frozenset({"copy", "edit", "regenerate", "previous", "next", "continue"})


@dataclass
class _Stream:
    """The reply streaming into the tail: `text[:stable]` is in finished segments; the
    rest is the live segment, which starts at document position `live_start` (None: not
    in the document yet) with a block rendered as `live_tag`."""

    message_id: int | None
    text: str
    stable: int = 0
    live_start: int | None = None
    live_tag: str = HEADER
    live_codes: list[int] = field(default_factory=list)


class TranscriptView(QTextBrowser):
    """Shows a conversation; streams a reply into its last message; never fetches anything.

    Signals:
        link_activated(QUrl): the user clicked an http, https or mailto link. Nothing was
            opened: the window asks first (`link_guard.confirm_and_open`).
        code_copied(int): a code block's "Copy" link (`hearth-copy:<index>`) put the block
            on the clipboard.
        action_requested(str, int): a message's action link ("copy", "edit", "regenerate",
            "previous", "next", or "continue" under a reply that stopped part-way) and the
            message's id.
        earlier_loaded(int): that many earlier messages were added at the top.

    Streaming renders are frequent and emit nothing; `stream_render_count` and
    `last_render_ms` tell tests and benchmarks about them.
    """

    link_activated = Signal(QUrl)
    code_copied = Signal(int)
    action_requested = Signal(str, int)
    earlier_loaded = Signal(int)

    def __init__(self, parent: QWidget | None = None, *, message_actions: bool = False) -> None:
        super().__init__(parent)
        self._message_actions = message_actions  # Copy / Edit / Regenerate / branch links
        self.setOpenLinks(False)
        self.setOpenExternalLinks(False)
        self.setAccessibleName("Conversation transcript")
        self.document().setUndoRedoEnabled(False)  # the history would keep every render
        self._messages: list[Message] = []
        self._branches: dict[int, tuple[int, int]] = {}
        self._first_shown = 0  # index in _messages of the first materialized message
        self._tail_start = -1  # document position of the last message's first block
        self._tail_codes: list[int] = []
        self._code_blocks: dict[int, str] = {}
        self._next_code = 0
        self._stream: _Stream | None = None
        self._render_interval_ms = MIN_RENDER_INTERVAL_MS
        self._stick_to_bottom = True
        self.stream_render_count = 0  # renders of streaming text, for tests and benchmarks
        self.last_render_ms = 0.0
        self._render_timer = QTimer(self)
        self._render_timer.setSingleShot(True)
        self._render_timer.setTimerType(Qt.TimerType.PreciseTimer)  # never under 50 ms
        self._render_timer.timeout.connect(self._render_stream)
        self._earlier_timer = QTimer(self)
        self._earlier_timer.setSingleShot(True)
        self._earlier_timer.timeout.connect(self._load_earlier_if_at_top)
        self.anchorClicked.connect(self._on_anchor_clicked)
        bar = self.verticalScrollBar()
        bar.valueChanged.connect(self._on_scrolled)
        bar.rangeChanged.connect(self._on_range_changed)

    def loadResource(self, resource_type: int, _name: QUrl | str) -> object:  # noqa: N802
        """An inert placeholder for every resource: nothing is read, fetched or shown.

        Returning None is not enough: QTextDocument then opens local files itself (image
        and style sheet names, even relative ones), and the image handler tries
        `QImage.load(name)`. A non-null value stops both. Rendered model output never
        asks (no <img> or <link> reaches the document); this guards against regressions.
        """
        if resource_type == QTextDocument.ResourceType.ImageResource:
            image = QImage(1, 1, QImage.Format.Format_ARGB32)
            image.fill(QColor(Qt.GlobalColor.transparent))
            return image
        if resource_type == QTextDocument.ResourceType.StyleSheetResource:
            return ""
        return QByteArray()

    # -- whole conversation -------------------------------------------------------------

    def show_messages(
        self, messages: list[Message], branches: dict[int, tuple[int, int]] | None = None
    ) -> None:
        """Show a conversation, materializing only its last INITIAL_MESSAGES messages.

        `branches` maps a message id to (its position, how many siblings) for the navigator.
        """
        self._reset()
        self._branches = dict(branches or {})
        self._messages = list(messages)
        self._first_shown = max(0, len(self._messages) - INITIAL_MESSAGES)
        shown = self._messages[self._first_shown :]
        cursor = QTextCursor(self.document())
        cursor.beginEditBlock()
        self._write_sentinel()
        if len(shown) > 1:
            self._write_segment(None, self._render_page(shown[:-1]), HEADER)
        if shown:
            self._append_tail(self._render(shown[-1]))
        cursor.endEditBlock()
        self._scroll_to_bottom()
        self._earlier_timer.start(0)  # loads more if these do not fill the view

    def show_notice(self, text: str) -> None:
        """Replace the transcript with a short explanation (no conversation shown)."""
        self._reset()
        QTextCursor(self.document()).insertHtml(f"<p><i>{html.escape(text)}</i></p>")

    def append_message(self, message: Message) -> None:
        """Add a finished message (e.g. the user's just-sent one) at the end."""
        self.end_streaming()
        self._messages.append(message)
        self._append_tail(self._render(message))

    @property
    def materialized_count(self) -> int:
        """How many messages are in the document (the rest wait above)."""
        streaming_new = self._stream is not None and not self._streams_into_last()
        return len(self._messages) - self._first_shown + int(streaming_new)

    @property
    def earlier_count(self) -> int:
        """How many earlier messages are not materialized yet."""
        return self._first_shown

    def load_earlier(self) -> None:
        """Add up to PAGE_MESSAGES earlier messages above, keeping what is on screen still."""
        if self._first_shown == 0:
            return
        start = max(0, self._first_shown - PAGE_MESSAGES)
        page = self._messages[start : self._first_shown]
        anchor = self.document().firstBlock().next().position()  # first message shown
        anchor_y = self._block_top(anchor)
        before = self.document().characterCount()
        cursor = QTextCursor(self.document())
        cursor.beginEditBlock()
        self._first_shown = start
        self._write_sentinel()
        self._write_segment(None, self._render_page(page), HEADER, after=0)
        cursor.endEditBlock()
        added = self.document().characterCount() - before
        self._shift_positions(added)
        bar = self.verticalScrollBar()
        bar.setValue(bar.value() + round(self._block_top(anchor + added) - anchor_y))
        self.earlier_loaded.emit(len(page))
        self._earlier_timer.start(0)

    # -- streaming ----------------------------------------------------------------------

    def begin_streaming(self, message_id: int | None = None) -> None:
        """Stream into message `message_id`: the last one if it has that id (continuing
        it), otherwise a new assistant message at the end (also when the id is not known
        yet: the reply's row is created at its first token)."""
        self.end_streaming()
        last = self._messages[-1] if self._messages else None
        if last is not None and message_id is not None and last.id == message_id:
            self._stream = _Stream(message_id, last.content, live_start=self._tail_start)
            self._drop_codes(self._tail_codes)
        else:
            self._stream = _Stream(message_id, "")
        self._tail_codes = []
        self._render_live()

    def append_stream(self, text: str) -> None:
        """Add text to the streaming reply; it is rendered at most every ~50 ms."""
        if self._stream is None:
            raise RuntimeError("append_stream() without begin_streaming()")
        self._stream.text += text
        if not self._render_timer.isActive():
            self._render_timer.start(self._render_interval_ms)

    def flush_stream(self) -> None:
        """Draw text appended since the last render now instead of at the next tick."""
        if self._render_timer.isActive():
            self._render_timer.stop()
            self._render_stream()

    def end_streaming(self, final: Message | None = None) -> None:
        """Stop streaming and show the reply as stored (its text and status); without
        `final`, the streamed text as a complete message. Does nothing when not streaming.

        When the stored text is what was streamed, only the unfinished part is rendered
        (fully highlighted) with the final note: the finished segments already look as a
        full render would (link reference definitions aside: a "[label]" written before
        its definition stays literal until the conversation is shown again)."""
        stream = self._stream
        if stream is None:
            return
        if final is None:
            final = self._streamed_message(stream)
        if self._streams_into_last():
            self._messages[-1] = final
        else:
            self._messages.append(final)
        if final.content == stream.text:
            self._render_timer.stop()
            self._render_live(
                status_note(final.status, final.error, final.id, bool(final.content)), None
            )
            self._stop_stream()
        else:
            self._stop_stream()
            self._replace_tail(self._render(final))

    def _streamed_message(self, stream: _Stream) -> Message:
        """What was streamed, as a complete message (when the caller has no stored one)."""
        done = MessageStatus.COMPLETE
        if self._streams_into_last():
            return replace(self._messages[-1], content=stream.text, status=done, error=None)
        last = self._messages[-1] if self._messages else None
        return Message(
            id=-1 if stream.message_id is None else stream.message_id,
            conversation_id=-1 if last is None else last.conversation_id,
            parent_id=None if last is None else last.id,
            role=Role.ASSISTANT,
            content=stream.text,
            status=done,
            created_at="",
            updated_at="",
            model=None,
            stats=None,
            error=None,
        )

    def _render_stream(self) -> None:
        started = time.perf_counter()
        stream = self._stream
        if stream is None:
            return
        split = split_stream(stream.text[stream.stable :])
        if split.stable_length:
            self._finish_live_segment(split.stable_length, split.live_first_tag)
        self._render_live()
        self.stream_render_count += 1
        # A long unfinished block costs more to render: wait longer so input is not starved.
        self.last_render_ms = (time.perf_counter() - started) * 1000
        self._render_interval_ms = int(
            min(
                MAX_RENDER_INTERVAL_MS,
                max(MIN_RENDER_INTERVAL_MS, RENDER_COST_FACTOR * self.last_render_ms),
            )
        )

    def _finish_live_segment(self, length: int, next_tag: str) -> None:
        """Render the first `length` characters of the live text as a finished segment;
        what follows becomes a new live segment starting with a `next_tag` block."""
        stream = self._stream
        assert stream is not None
        rendered = self._render_segment(stream.text[stream.stable : stream.stable + length])
        self._drop_codes(stream.live_codes)
        self._tail_codes += self._register_codes(rendered)
        start = self._write_segment(stream.live_start, rendered.html, stream.live_tag)
        if stream.live_tag == HEADER:
            self._tail_start = start
        stream.stable += length
        stream.live_start, stream.live_tag, stream.live_codes = None, next_tag, []

    def _render_live(
        self, note: str | None = None, limit: int | None = LIVE_HIGHLIGHT_LIMIT
    ) -> None:
        """Render the unfinished part of the reply again, ending with `note` (default:
        "writing…"); code blocks longer than `limit` stay uncoloured."""
        stream = self._stream
        assert stream is not None
        rendered = self._render_segment(stream.text[stream.stable :], limit)
        if note is None:
            note = status_note(MessageStatus.STREAMING, None, stream.message_id or 0)
        self._drop_codes(stream.live_codes)
        stream.live_codes = self._register_codes(rendered)
        stream.live_start = self._write_segment(
            stream.live_start, rendered.html + note, stream.live_tag
        )
        if stream.live_tag == HEADER:
            self._tail_start = stream.live_start

    def _render_segment(self, text: str, highlight_limit: int | None = None) -> RenderedMessage:
        """`text` of the streaming reply as HTML, with the speaker line if it comes first."""
        stream = self._stream
        assert stream is not None
        body = render_markdown(text, self._next_code, highlight_limit)
        if stream.live_tag != HEADER:
            return body
        return RenderedMessage(speaker_line(Role.ASSISTANT) + body.html, body.code_blocks)

    def _streams_into_last(self) -> bool:
        return (
            self._stream is not None
            and bool(self._messages)
            and self._messages[-1].id == self._stream.message_id
        )

    def _stop_stream(self) -> None:
        self._render_timer.stop()
        if self._stream is not None:
            self._tail_codes += self._stream.live_codes
        self._stream = None
        self._render_interval_ms = MIN_RENDER_INTERVAL_MS

    # -- document editing ---------------------------------------------------------------

    def _reset(self) -> None:
        self._stop_stream()
        self._earlier_timer.stop()
        self.clear()
        self._messages = []
        self._first_shown = 0
        self._tail_start = -1
        self._tail_codes = []
        self._code_blocks = {}
        self._stick_to_bottom = True

    def _render(self, message: Message) -> RenderedMessage:
        # Actions only for saved messages, not for one still arriving.
        saved = self._message_actions and message.id > 0 and message.status != "streaming"
        return render_message(
            message.role,
            message.content,
            message.status,
            error=message.error,
            message_id=message.id,
            first_code_index=self._next_code,
            with_actions=saved,
            branch=self._branches.get(message.id),
        )

    def _render_page(self, messages: list[Message]) -> str:
        parts = []
        for message in messages:  # one at a time: each numbers its code from _next_code
            rendered = self._render(message)
            self._register_codes(rendered)
            parts.append(rendered.html)
        return "".join(parts)

    def _register_codes(self, rendered: RenderedMessage) -> list[int]:
        """Make the copy links of `rendered` (numbered from `_next_code`) work."""
        indices = list(range(self._next_code, self._next_code + len(rendered.code_blocks)))
        self._code_blocks.update(zip(indices, rendered.code_blocks, strict=True))
        self._next_code += len(indices)
        return indices

    def _drop_codes(self, indices: list[int]) -> None:
        for index in indices:
            self._code_blocks.pop(index, None)

    def _append_tail(self, rendered: RenderedMessage) -> None:
        self._tail_codes = self._register_codes(rendered)
        self._tail_start = self._write_segment(None, rendered.html, HEADER)

    def _replace_tail(self, rendered: RenderedMessage) -> None:
        """Rewrite the last message's blocks only; nothing before them is touched."""
        self._drop_codes(self._tail_codes)
        self._tail_codes = self._register_codes(rendered)
        start = None if self._tail_start < 0 else self._tail_start
        self._tail_start = self._write_segment(start, rendered.html, HEADER)

    def _write_segment(
        self, start: int | None, html_text: str, first_tag: str, *, after: int | None = None
    ) -> int:
        """Put `html_text` in new blocks and return the position of the first one.

        With `start`, the blocks from there to the end are replaced; otherwise they go
        after the block holding position `after` (default: the last block). The blocks
        before are never touched. insertHtml keeps the format of the block it starts in
        (Qt applies the fragment's first block format only at position 0), so that block
        gets the format Qt gives a `first_tag` element.
        """
        cursor = QTextCursor(self.document())
        cursor.beginEditBlock()
        if start is None:
            block = self.document().findBlock(self._end_position() if after is None else after)
            cursor.setPosition(block.position() + block.length() - 1)
            cursor.insertBlock(QTextBlockFormat(), QTextCharFormat())
            start = cursor.position()
        else:
            cursor.setPosition(start)
            cursor.movePosition(QTextCursor.MoveOperation.End, QTextCursor.MoveMode.KeepAnchor)
            cursor.removeSelectedText()
        cursor.insertHtml(html_text.rstrip())  # a trailing newline would add a space
        QTextCursor(self.document().findBlock(start)).setBlockFormat(_block_format(first_tag))
        cursor.endEditBlock()
        return start

    def _write_sentinel(self) -> None:
        cursor = QTextCursor(self.document().firstBlock())
        cursor.movePosition(QTextCursor.MoveOperation.EndOfBlock, QTextCursor.MoveMode.KeepAnchor)
        text = f"Scroll up for {self._first_shown} earlier messages" if self._first_shown else ""
        char_format = QTextCharFormat()
        char_format.setForeground(QColor(MUTED))
        cursor.insertText(text, char_format)

    def _shift_positions(self, added: int) -> None:
        """Blocks were added above everything materialized: move the remembered positions."""
        self._tail_start += added
        if self._stream is not None and self._stream.live_start is not None:
            self._stream.live_start += added

    def _end_position(self) -> int:
        return self.document().characterCount() - 1

    # -- scrolling ----------------------------------------------------------------------

    def _block_top(self, position: int) -> float:
        block = self.document().findBlock(position)
        return self.document().documentLayout().blockBoundingRect(block).top()

    def _scroll_to_bottom(self) -> None:
        self._stick_to_bottom = True
        self._block_top(self._end_position())  # lays the document out to its end
        bar = self.verticalScrollBar()
        bar.setValue(bar.maximum())

    def _on_range_changed(self, _minimum: int, maximum: int) -> None:
        if self._stick_to_bottom:
            self.verticalScrollBar().setValue(maximum)

    def _on_scrolled(self, value: int) -> None:
        bar = self.verticalScrollBar()
        self._stick_to_bottom = value >= bar.maximum() - BOTTOM_SLACK_PX
        if value == bar.minimum() and self._first_shown:
            self._earlier_timer.start(0)  # not from inside the scroll bar's own signal

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 (Qt's name)
        super().resizeEvent(event)
        if self._first_shown:
            self._earlier_timer.start(0)  # a taller view may no longer be filled

    def _load_earlier_if_at_top(self) -> None:
        """Load a page when the view shows its top: scrolled there, or nothing to scroll
        (then the user could never reach the top, so the view is filled instead)."""
        if not self.isVisible() or not self._first_shown:
            return
        bar = self.verticalScrollBar()
        if bar.maximum() == 0:
            self._block_top(self._end_position())  # the range may wait for the layout
        if bar.value() == bar.minimum():
            self.load_earlier()

    # -- links --------------------------------------------------------------------------

    def _on_anchor_clicked(self, url: QUrl) -> None:
        scheme = url.scheme().lower()
        if scheme == COPY_SCHEME:
            self._copy_code(url.path())
        elif scheme == ACTION_SCHEME:
            verb, _, message_id = url.path().partition("/")
            if verb in MESSAGE_ACTIONS and message_id.isdigit():
                self.action_requested.emit(verb, int(message_id))
        elif is_safe_link(url.toString()):
            self.link_activated.emit(url)

    def _copy_code(self, index_text: str) -> None:
        code = self._code_blocks.get(int(index_text)) if index_text.isdigit() else None
        if code is not None:
            QApplication.clipboard().setText(code)
            self.code_copied.emit(int(index_text))


@functools.cache
def _block_format(tag: str) -> QTextBlockFormat:
    """The block format of a message's first block (HEADER), or the one Qt's HTML import
    gives a `<tag>` element that is not the first block of its document."""
    if tag == HEADER:
        header = QTextBlockFormat()
        header.setTopMargin(HEADER_TOP_MARGIN)
        header.setBottomMargin(HEADER_BOTTOM_MARGIN)
        return header
    scratch = QTextDocument()
    scratch.setHtml(f"<p>x</p><{tag}>x</{tag}>")
    return scratch.firstBlock().next().blockFormat()
