"""Following the transcript's links with the keyboard alone.

QTextBrowser already moves between links with Tab and Shift+Tab (the focused link is the
text cursor's selection) and follows one with Enter. Added here: Space follows it too, and
after an action (a message's button, or Continue) was used and the conversation shown
again (as the window does after "‹"/"›", for instance), the view is told which action of
which message to focus again: the one in the same place, instead of the top of the
document, many Tabs away.
"""

from __future__ import annotations

from PySide6.QtGui import QTextCursor, QTextDocument
from PySide6.QtWidgets import QTextBrowser

from app.tasks.conversation_view import MessageView


def focused_link(cursor: QTextCursor) -> str:
    """The link Tab moved `cursor` to (the link its selection starts on), or ""."""
    if not cursor.hasSelection():
        return ""
    probe = QTextCursor(cursor)
    probe.setPosition(cursor.selectionStart())
    probe.movePosition(QTextCursor.MoveOperation.NextCharacter)  # the format of that char
    return probe.charFormat().anchorHref()


def link_position(document: QTextDocument, href: str) -> int | None:
    """Where the last link to `href` starts (the tail is searched first), or None."""
    block = document.lastBlock()
    while block.isValid():
        fragments = block.begin()
        while not fragments.atEnd():
            fragment = fragments.fragment()
            if fragment.charFormat().anchorHref() == href:
                return fragment.position()
            fragments += 1
        block = block.previous()
    return None


def focus_link(browser: QTextBrowser, href: str) -> bool:
    """Give `href`'s link the keyboard focus, exactly as Tab would; False if it is absent."""
    start = link_position(browser.document(), href)
    if start is None or start < 1:
        return False
    cursor = QTextCursor(browser.document())
    cursor.setPosition(start - 1)  # Tab looks for the next link after the selection
    cursor.setPosition(start, QTextCursor.MoveMode.KeepAnchor)
    browser.setTextCursor(cursor)
    return browser.focusNextPrevChild(True)


class ActionFocus:
    """The action (button or link) last used, by verb and its message's place in the conversation
    (another branch's message in that place has another id), until the next showing."""

    def __init__(self) -> None:
        self._pending: tuple[str, int, int | None] | None = None  # verb, index, conversation

    def remember(self, verb: str, message_id: int, messages: list[MessageView]) -> None:
        found = (i for i, message in enumerate(messages) if message.id == message_id)
        index = next(found, None)
        if index is not None:
            self._pending = (verb, index, messages[index].conversation_id)

    def restore(self, messages: list[MessageView]) -> tuple[str, int] | None:
        """The action to focus again, (verb, id of the message in the same place), if the
        conversation shown is the same; forgotten either way."""
        pending, self._pending = self._pending, None
        if pending is None:
            return None
        verb, index, conversation_id = pending
        if index < len(messages) and messages[index].conversation_id == conversation_id:
            message_id = messages[index].id
            return None if message_id is None else (verb, message_id)
        return None
