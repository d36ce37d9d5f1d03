"""The transcript: one conversation's messages, rendered safely, streamed cheaply.

Model output is untrusted. It is rendered by `markdown_html` (raw HTML escaped, images as
text, only http/https/mailto links kept), links are never followed by the view itself, and
no resource is ever loaded for it (see `TranscriptView.loadResource`).

The view puts the parts together: `message_html` renders each message, `transcript_document`
writes the blocks (only the last message's are ever rewritten), `transcript_stream` streams
a reply into them, `transcript_paging` decides which messages are materialized (the last
ones; earlier pages are added above when the user scrolls to the top), `code_copies`
keeps what the code blocks' Copy links copy, and `transcript_chrome` adds the column,
colours, action buttons and "Jump to latest". Every link (code Copy, Continue, web links)
is reached with Tab and followed with Enter or Space; the action buttons come next.
"""

from __future__ import annotations

import html
from collections.abc import Sequence

from PySide6.QtCore import QByteArray, QEvent, Qt, QTimer, QUrl, Signal
from PySide6.QtGui import (
    QColor,
    QImage,
    QKeyEvent,
    QMouseEvent,
    QResizeEvent,
    QTextCursor,
    QTextDocument,
)
from PySide6.QtWidgets import QApplication, QTextBrowser, QWidget

from app.tasks.conversation_view import MessageView
from app.ui.code_copies import CodeCopies
from app.ui.markdown_html import COPY_SCHEME, RenderedMessage, is_safe_link
from app.ui.message_actions import MessageActions
from app.ui.message_html import ACTION_SCHEME, parse_action, render_stored, status_note
from app.ui.transcript_chrome import TranscriptChrome
from app.ui.transcript_document import HEADER, TranscriptDocument
from app.ui.transcript_keyboard import ActionFocus, focus_link, focused_link
from app.ui.transcript_paging import INITIAL_MESSAGES as INITIAL_MESSAGES
from app.ui.transcript_paging import PAGE_MESSAGES as PAGE_MESSAGES
from app.ui.transcript_paging import MessagePages
from app.ui.transcript_stream import ReplyStream, streamed_message

BOTTOM_SLACK_PX = 4  # "at the bottom" tolerates a few pixels of rounding


class TranscriptView(QTextBrowser):
    """Shows a conversation; streams a reply into its last message; never fetches anything.

    Signals:
        link_activated(QUrl): the user clicked an http, https or mailto link. Nothing was
            opened: the window asks first (`link_guard.confirm_and_open`).
        code_copied(int): a code block's "Copy" link (`hearth-copy:<index>`) put the block
            on the clipboard.
        action_requested(str, int): a message's action ("copy", "edit", "regenerate",
            "previous", "next" from its buttons, or "continue" from the link under a reply
            that stopped part-way) and the message's id.
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
        self.setOpenLinks(False)
        self.setOpenExternalLinks(False)
        self.setAccessibleName("Conversation transcript")
        self.document().setUndoRedoEnabled(False)  # the history would keep every render
        self._pages = MessagePages()
        self._copies = CodeCopies()
        self._writer = TranscriptDocument(self)
        self._tail_codes: list[int] = []
        self._stream = ReplyStream(self._writer, self._copies, self)
        self._stick_to_bottom = True
        self._action_focus = ActionFocus()
        self._restyle_after_stream = False
        self._chrome = TranscriptChrome(
            self, self._message_by_id, self._scroll_to_bottom, with_actions=message_actions
        )
        self._chrome.action.connect(self._on_action)
        self._chrome.apply_style()
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

    @property
    def stream_render_count(self) -> int:
        """Renders of streaming text so far, for tests and benchmarks."""
        return self._stream.render_count

    @property
    def last_render_ms(self) -> float:
        return self._stream.last_render_ms

    # -- whole conversation -------------------------------------------------------------

    def show_messages(self, messages: Sequence[MessageView]) -> None:
        """Show a conversation, materializing only its last INITIAL_MESSAGES messages."""
        keyboard_here = self.hasFocus() or self._chrome.holds_focus()
        self._reset()
        shown = self._pages.open(messages)
        cursor = QTextCursor(self.document())
        cursor.beginEditBlock()
        self._writer.write_sentinel(self._pages.earlier_count)
        if len(shown) > 1:
            self._writer.write_segment(None, self._render_page(shown[:-1]), HEADER)
        if shown:
            self._write_tail(self._render(shown[-1]))
        cursor.endEditBlock()
        self._scroll_to_bottom()
        restored = self._action_focus.restore(self._pages.messages) if keyboard_here else None
        if restored is not None:
            verb, message_id = restored
            if verb == "continue":
                focus_link(self, f"{ACTION_SCHEME}:{verb}/{message_id}")
            else:
                self._chrome.focus_action(verb, message_id)
        self._earlier_timer.start(0)  # loads more if these do not fill the view

    @property
    def messages(self) -> tuple[MessageView, ...]:
        """Every message of the conversation shown (materialized or waiting above)."""
        return tuple(self._pages.messages)

    def show_notice(self, text: str) -> None:
        """Replace the transcript with a short explanation (no conversation shown)."""
        self._reset()
        QTextCursor(self.document()).insertHtml(f"<p><i>{html.escape(text)}</i></p>")

    def append_message(self, message: MessageView) -> None:
        """Add a finished message (e.g. the user's just-sent one) at the end."""
        self.end_streaming()
        self._pages.append(message)
        self._write_tail(self._render(message))

    @property
    def materialized_count(self) -> int:
        """How many messages are in the document (the rest wait above)."""
        streaming_new = self._stream.active and not self._streams_into_last()
        return self._pages.shown_count + int(streaming_new)

    @property
    def earlier_count(self) -> int:
        """How many earlier messages are not materialized yet."""
        return self._pages.earlier_count

    def load_earlier(self) -> None:
        """Add up to PAGE_MESSAGES earlier messages above, keeping what is on screen still."""
        if not self._pages.earlier_count:
            return
        anchor = self._writer.first_message_position()
        anchor_y = self._writer.block_top(anchor)
        page = self._pages.earlier_page()
        added = self._writer.write_page(self._render_page(page), self._pages.earlier_count)
        self._stream.shift(added)
        bar = self.verticalScrollBar()
        bar.setValue(bar.value() + round(self._writer.block_top(anchor + added) - anchor_y))
        self.earlier_loaded.emit(len(page))
        self._earlier_timer.start(0)

    # -- streaming ----------------------------------------------------------------------

    def begin_streaming(self, message_id: int | None = None) -> None:
        """Stream into message `message_id`: the last one if it has that id (continuing
        it), otherwise a new assistant message at the end (also when the id is not known
        yet: the reply's row is created at its first token)."""
        self.end_streaming()
        last = self._pages.last
        if last is not None and message_id is not None and last.id == message_id:
            self._copies.drop(self._tail_codes)  # the stream rewrites the tail
            self._tail_codes = []
            self._stream.begin(message_id, continued=last.content)
        else:
            self._tail_codes = []
            self._stream.begin(message_id)

    def append_stream(self, text: str) -> None:
        """Add text to the streaming reply; it is rendered at most every ~50 ms."""
        self._stream.append(text)

    def flush_stream(self) -> None:
        """Draw text appended since the last render now instead of at the next tick."""
        self._stream.flush()

    def end_streaming(self, final: MessageView | None = None) -> None:
        """Stop streaming and show the reply as stored (its text and status); without
        `final`, the streamed text as a complete message. Does nothing when not streaming.

        When the stored text is what was streamed, only the unfinished part is rendered
        (fully highlighted) with the final note: the finished segments already look as a
        full render would (link reference definitions aside: a "[label]" written before
        its definition stays literal until the conversation is shown again)."""
        if not self._stream.active:
            return
        into_last = self._streams_into_last()
        if final is None:
            final = streamed_message(
                self._stream.text, self._stream.message_id, self._pages.last, into_last
            )
        if into_last:
            self._pages.replace_last(final)
        else:
            self._pages.append(final)
        if final.content == self._stream.text:
            note = status_note(final.status, final.error, final.id or 0, bool(final.content))
            self._tail_codes += self._stream.finish(note)
        else:
            self._tail_codes += self._stream.stop()
            self._write_tail(self._render(final), replace=True)
        if self._restyle_after_stream:
            self._restyle_after_stream = False
            self.show_messages(self.messages)

    def _streams_into_last(self) -> bool:
        last = self._pages.last
        streamed_id = self._stream.message_id
        return (
            self._stream.active
            and streamed_id is not None
            and last is not None
            and (last.id == streamed_id)
        )

    # -- rendering ----------------------------------------------------------------------

    def _reset(self) -> None:
        if self._chrome.holds_focus():
            self.setFocus()  # not to the next widget when the bar it is in goes
        self._chrome.withdraw()
        self._stream.stop()
        self._earlier_timer.stop()
        self.clear()  # which also forgets the root frame's margins
        self._chrome.fit_column()
        self._pages.clear()
        self._writer.tail_start = -1
        self._tail_codes = []
        self._copies.clear()
        self._stick_to_bottom = True

    def _render(self, message: MessageView) -> RenderedMessage:
        return render_stored(message, self._copies.next_index)

    def _message_by_id(self, message_id: int) -> MessageView | None:
        return next((m for m in reversed(self._pages.messages) if m.id == message_id), None)

    def _render_page(self, messages: list[MessageView]) -> str:
        parts = []
        for message in messages:  # one at a time: each numbers its code from next_index
            rendered = self._render(message)
            self._copies.register(rendered)
            parts.append(rendered.html)
        return "".join(parts)

    def _write_tail(self, rendered: RenderedMessage, *, replace: bool = False) -> None:
        """Write the last message's blocks (over the old ones with `replace`)."""
        if replace:
            self._copies.drop(self._tail_codes)
        self._tail_codes = self._copies.register(rendered)
        self._writer.write_tail(rendered.html, replace=replace)

    # -- scrolling ----------------------------------------------------------------------

    def _scroll_to_bottom(self) -> None:
        self._stick_to_bottom = True
        self._writer.block_top(self._writer.end_position())  # lays the document out to its end
        bar = self.verticalScrollBar()
        bar.setValue(bar.maximum())

    def _on_range_changed(self, _minimum: int, maximum: int) -> None:
        if self._stick_to_bottom:
            self.verticalScrollBar().setValue(maximum)

    def _on_scrolled(self, value: int) -> None:
        bar = self.verticalScrollBar()
        self._stick_to_bottom = value >= bar.maximum() - BOTTOM_SLACK_PX
        self._chrome.show_jump(not self._stick_to_bottom)
        self._chrome.refresh()
        if value == bar.minimum() and self._pages.earlier_count:
            self._earlier_timer.start(0)  # not from inside the scroll bar's own signal

    @property
    def jump_to_latest_shown(self) -> bool:
        """Whether "Jump to latest" is offered (the view is scrolled up from the end)."""
        return self._chrome.jump.isVisible()

    @property
    def message_actions(self) -> MessageActions | None:
        """The action bar over the message in hand (None when the view offers no actions)."""
        return self._chrome.actions

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802 (Qt's name)
        super().mouseMoveEvent(event)
        self._chrome.pointer_moved(event.position().toPoint())

    def viewportEvent(self, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        if event.type() == QEvent.Type.Leave:
            self._chrome.pointer_left()
        return super().viewportEvent(event)

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 (Qt's name)
        """A new palette (light or dark) recolours the transcript: rendered again with the
        new style sheet, or once the reply being written is done."""
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange and self._chrome.apply_style():
            if self._stream.active:
                self._restyle_after_stream = True
            elif self._pages.messages:
                self.show_messages(self.messages)

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 (Qt's name)
        super().resizeEvent(event)
        self._chrome.fit_column()
        if self._pages.earlier_count:
            self._earlier_timer.start(0)  # a taller view may no longer be filled

    def _load_earlier_if_at_top(self) -> None:
        """Load a page when the view shows its top: scrolled there, or nothing to scroll
        (then the user could never reach the top, so the view is filled instead)."""
        if not self.isVisible() or not self._pages.earlier_count:
            return
        bar = self.verticalScrollBar()
        if bar.maximum() == 0:
            self._writer.block_top(self._writer.end_position())  # the range may wait for it
        if bar.value() == bar.minimum():
            self.load_earlier()

    # -- links --------------------------------------------------------------------------

    def _on_anchor_clicked(self, url: QUrl) -> None:
        scheme = url.scheme().lower()
        if scheme == COPY_SCHEME:
            self._copy_code(url.path())
        elif scheme == ACTION_SCHEME:
            action = parse_action(url.path())
            if action is not None:
                self._on_action(*action)
        elif is_safe_link(url.toString()):
            self.link_activated.emit(url)

    def _on_action(self, verb: str, message_id: int) -> None:
        """An action button or link: remembered, so focus can come back to it if the
        conversation is shown again (as after "‹"/"›"), then passed to the window."""
        self._action_focus.remember(verb, message_id, self._pages.messages)
        self.action_requested.emit(verb, message_id)

    def _copy_code(self, index_text: str) -> None:
        code = self._copies.code(index_text)
        if code is not None:
            QApplication.clipboard().setText(code)
            self.code_copied.emit(int(index_text))

    # -- keyboard -----------------------------------------------------------------------

    def focusNextPrevChild(self, next: bool) -> bool:  # noqa: N802 (Qt's names)
        """From an action button, Tab moves between widgets: the buttons' parents hand
        Tab up to this view, whose own handling would step through the text's links."""
        if self._chrome.holds_focus():
            return QWidget.focusNextPrevChild(self, next)
        return super().focusNextPrevChild(next)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 (Qt's name)
        """Space follows the link Tab moved to, as Enter does (Qt itself only knows Enter);
        elsewhere it scrolls a page as before."""
        plain_space = event.key() == Qt.Key.Key_Space and not event.modifiers()
        href = focused_link(self.textCursor()) if plain_space else ""
        if href:
            event.accept()
            self.anchorClicked.emit(QUrl(href))
            return
        super().keyPressEvent(event)
