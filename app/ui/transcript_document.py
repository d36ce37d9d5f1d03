"""The transcript's document as a sentinel line and a range of blocks per message.

The first block is the sentinel ("Scroll up for N earlier messages", or empty). Each
message's blocks follow; the first of them is its speaker line. Only the last range (the
"tail") is ever rewritten, so nothing above it is laid out again while a reply streams;
earlier pages are inserted right after the sentinel.
"""

from __future__ import annotations

import functools

from PySide6.QtGui import QPalette, QTextBlockFormat, QTextCharFormat, QTextCursor, QTextDocument
from PySide6.QtWidgets import QTextEdit

from app.ui.message_html import HEADER_BOTTOM_MARGIN, HEADER_TOP_MARGIN

HEADER = "header"  # the first block of a message: the speaker line


class TranscriptDocument:
    """Writes ranges of blocks into a text edit's document and remembers where the tail starts."""

    def __init__(self, editor: QTextEdit) -> None:
        self._editor = editor
        self.tail_start = -1  # document position of the last message's first block

    @property
    def document(self) -> QTextDocument:
        return self._editor.document()

    def write_segment(
        self, start: int | None, html_text: str, first_tag: str, *, after: int | None = None
    ) -> int:
        """Put `html_text` in new blocks and return the position of the first one.

        With `start`, the blocks from there to the end are replaced; otherwise they go
        after the block holding position `after` (default: the last block). The blocks
        before are never touched. insertHtml keeps the format of the block it starts in
        (Qt applies the fragment's first block format only at position 0), so that block
        gets the format Qt gives a `first_tag` element.
        """
        document = self.document
        cursor = QTextCursor(document)
        cursor.beginEditBlock()
        if start is None:
            block = document.findBlock(self.end_position() if after is None else after)
            cursor.setPosition(block.position() + block.length() - 1)
            cursor.insertBlock(QTextBlockFormat(), QTextCharFormat())
            start = cursor.position()
        else:
            cursor.setPosition(start)
            cursor.movePosition(QTextCursor.MoveOperation.End, QTextCursor.MoveMode.KeepAnchor)
            cursor.removeSelectedText()
        cursor.insertHtml(html_text.rstrip())  # a trailing newline would add a space
        first_format = block_format(first_tag, document.defaultStyleSheet())
        QTextCursor(document.findBlock(start)).setBlockFormat(first_format)
        cursor.endEditBlock()
        return start

    def write_tail(self, html_text: str, *, replace: bool = False) -> None:
        """Write the last message: a new range at the end, or (`replace`) over the tail."""
        start = self.tail_start if replace and self.tail_start >= 0 else None
        self.tail_start = self.write_segment(start, html_text, HEADER)

    def write_page(self, html_text: str, earlier: int) -> int:
        """Insert earlier messages right after the sentinel, which now counts `earlier`
        still waiting; return how many characters were added above everything that was
        there (the tail start has moved by as much)."""
        before = self.document.characterCount()
        cursor = QTextCursor(self.document)
        cursor.beginEditBlock()
        self.write_sentinel(earlier)
        self.write_segment(None, html_text, HEADER, after=0)
        cursor.endEditBlock()
        added = self.document.characterCount() - before
        self.tail_start += added
        return added

    def write_sentinel(self, earlier: int) -> None:
        """The first line: how many earlier messages wait above (empty when none do)."""
        cursor = QTextCursor(self.document.firstBlock())
        cursor.movePosition(QTextCursor.MoveOperation.EndOfBlock, QTextCursor.MoveMode.KeepAnchor)
        text = f"Scroll up for {earlier} earlier messages" if earlier else ""
        char_format = QTextCharFormat()
        char_format.setForeground(self._editor.palette().color(QPalette.ColorRole.PlaceholderText))
        cursor.insertText(text, char_format)

    def first_message_position(self) -> int:
        return self.document.firstBlock().next().position()

    def end_position(self) -> int:
        return self.document.characterCount() - 1

    def block_top(self, position: int) -> float:
        """Where the block holding `position` starts, laying the document out that far."""
        block = self.document.findBlock(position)
        return self.document.documentLayout().blockBoundingRect(block).top()


@functools.cache
def block_format(tag: str, style_sheet: str = "") -> QTextBlockFormat:
    """The block format of a message's first block (HEADER), or the one Qt's HTML import
    gives a `<tag>` element (`p.code-head`: with that class) that is not the first block of
    its document, under the document's `style_sheet`."""
    if tag == HEADER:
        header = QTextBlockFormat()
        header.setTopMargin(HEADER_TOP_MARGIN)
        header.setBottomMargin(HEADER_BOTTOM_MARGIN)
        return header
    name, _, css_class = tag.partition(".")
    attributes = f' class="{css_class}"' if css_class else ""
    scratch = QTextDocument()
    scratch.setDefaultStyleSheet(style_sheet)
    scratch.setHtml(f"<p>x</p><{name}{attributes}>x</{name}>")
    return scratch.firstBlock().next().blockFormat()
