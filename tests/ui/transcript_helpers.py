"""Messages, conversations and document probes for the transcript tests."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import replace
from pathlib import Path

from PySide6.QtCore import QEvent, QPoint, QPointF, Qt
from PySide6.QtGui import QMouseEvent, QTextCursor, QTextFragment
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from app.store import MessageStatus, Role
from app.tasks.conversation_view import BranchPosition, MessageView
from app.ui.message_actions import MessageActions
from app.ui.transcript_chrome import header_of
from app.ui.transcript_view import TranscriptView

ROOT = Path(__file__).resolve().parents[2]
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d4944415478da63f8cfc0f01f0005000201a5d7e3a60000000049454e44ae426082"
)


def message(
    message_id: int,
    role: str,
    content: str,
    status: str = "complete",
    error: str | None = None,
) -> MessageView:
    """A message of conversation 1 as the transcript is given it."""
    continuable = role == "assistant" and status in ("stopped", "interrupted", "failed")
    return MessageView(
        message_id,
        1,
        Role(role),
        content,
        MessageStatus(status),
        error,
        continuable=continuable and bool(content),
    )


def with_branches(
    messages: Sequence[MessageView], branches: Mapping[int, tuple[int, int]]
) -> list[MessageView]:
    """The messages, those named in `branches` with their (position, count) among siblings."""
    return [
        replace(m, branch=BranchPosition(*branches[m.id]))
        if m.id is not None and m.id in branches
        else m
        for m in messages
    ]


def conversation(count: int) -> list[MessageView]:
    messages = []
    for number in range(1, count + 1):
        if number % 2:
            messages.append(message(number, "user", f"Question {number}?"))
        else:
            body = f"Answer {number}:\n\n- a point\n- another\n\n```python\nprint({number})\n```"
            messages.append(message(number, "assistant", body))
    return messages


def shown_view(qtbot: QtBot, *, message_actions: bool = False) -> TranscriptView:
    """A transcript on screen (640x480), as the window shows it."""
    widget = TranscriptView(message_actions=message_actions)
    qtbot.addWidget(widget)
    widget.resize(640, 480)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def fragments(view: TranscriptView) -> Iterator[QTextFragment]:
    """Every run of equally formatted text in the document (tables included)."""
    block = view.document().begin()
    while block.isValid():
        item = block.begin()
        while not item.atEnd():
            yield item.fragment()
            item += 1
        block = block.next()


def anchors(view: TranscriptView) -> list[tuple[str, int]]:
    """(href, position) of every link in the document (not the speaker lines' anchor
    names, which only mark where each message starts)."""
    return [
        (fragment.charFormat().anchorHref(), fragment.position())
        for fragment in fragments(view)
        if fragment.charFormat().isAnchor() and fragment.charFormat().anchorHref()
    ]


def point_on_message(view: TranscriptView, message_id: int) -> QPoint:
    """A point on message `message_id`'s speaker line, scrolled into view."""
    header = header_of(view.document(), message_id)
    assert header is not None, f"message {message_id} is not in the document"
    top = view.document().documentLayout().blockBoundingRect(header).top()
    bar = view.verticalScrollBar()
    if not bar.value() <= top < bar.value() + view.viewport().height() - 20:
        bar.setValue(int(top) - 10)
    return QPoint(
        int(view.document().rootFrame().frameFormat().leftMargin()) + 5, int(top) - bar.value() + 4
    )


def move_pointer(view: TranscriptView, point: QPoint) -> None:
    """The pointer moves over the view's text to `point` (viewport coordinates)."""
    viewport = view.viewport()
    QApplication.sendEvent(
        viewport,
        QMouseEvent(
            QEvent.Type.MouseMove,
            QPointF(point),
            QPointF(viewport.mapToGlobal(point)),
            Qt.MouseButton.NoButton,
            Qt.MouseButton.NoButton,
            Qt.KeyboardModifier.NoModifier,
        ),
    )


def hover_message(view: TranscriptView, message_id: int) -> MessageActions:
    """Point at message `message_id`; its action bar shows (the test fails otherwise)."""
    move_pointer(view, point_on_message(view, message_id))
    bar = view.message_actions
    assert bar is not None
    assert bar.isVisible()
    assert bar.message_id == message_id
    return bar


def has_images(view: TranscriptView) -> bool:
    return any(fragment.charFormat().isImageFormat() for fragment in fragments(view))


def click_text_at(view: TranscriptView, position: int) -> None:
    """A real mouse click on the character after `position`."""
    cursor = QTextCursor(view.document())
    cursor.setPosition(position + 2)
    view.setTextCursor(cursor)
    view.ensureCursorVisible()
    rect = view.cursorRect(cursor)
    QTest.mouseClick(
        view.viewport(),
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
        QPoint(rect.left(), rect.center().y()),
    )
