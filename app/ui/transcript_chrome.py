"""What the transcript shows around its text: the reading column, the theme's colours, the
action buttons over the message in hand, and "Jump to latest" when scrolled up.

`TranscriptView` owns the text; this owns the rest, so each stays small:
- the column: text never runs wider than MAX_COLUMN_PX (long lines are hard to read on a
  wide window); the margins grow instead, and the column stays centred;
- the colours: the document's default style sheet (`transcript_css`), light or dark from
  the palette; rendered HTML only names classes;
- the action bar (`MessageActions`): over the message under the pointer, or, while the
  transcript has the keyboard focus, the one holding the caret (Tab moves it between
  links, arrow keys through the text); Tab goes on into the bar's buttons;
- "Jump to latest": shown while the view is scrolled up from the end.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, QPoint, QSize, Qt, Signal
from PySide6.QtGui import QPalette, QTextBlock, QTextDocument
from PySide6.QtWidgets import QApplication, QTextBrowser, QToolButton, QWidget

from app.tasks.conversation_view import MessageView
from app.ui.icons import icon
from app.ui.message_actions import MessageActions
from app.ui.message_html import MESSAGE_ANCHOR
from app.ui.metrics import GAP, GAP_LARGE, GAP_SMALL
from app.ui.transcript_css import TranscriptColours, transcript_css

MAX_COLUMN_PX = 820  # about 100 characters of body text: a comfortable line
MIN_SIDE_PX = GAP
BAR_GAP_PX = GAP_SMALL  # between the action bar and the column's right edge
JUMP_MARGIN_PX = GAP_LARGE
HEADER_SEARCH_BLOCKS = 2000  # a message longer than this many blocks shows no bar


def message_anchor(block: QTextBlock) -> int | None:
    """The message id named by a speaker line's anchor (`message-<id>`), if `block` is one;
    0 for a message not saved yet (no actions)."""
    fragments = block.begin()
    while not fragments.atEnd():
        for name in fragments.fragment().charFormat().anchorNames():
            if name.startswith(MESSAGE_ANCHOR) and name[len(MESSAGE_ANCHOR) :].isdigit():
                return int(name[len(MESSAGE_ANCHOR) :])
        fragments += 1
    return None


def header_above(block: QTextBlock) -> tuple[QTextBlock, int] | None:
    """The speaker line of the message `block` belongs to, and its message id."""
    for _ in range(HEADER_SEARCH_BLOCKS):
        if not block.isValid():
            return None
        message_id = message_anchor(block)
        if message_id is not None:
            return block, message_id
        block = block.previous()
    return None


def header_of(document: QTextDocument, message_id: int) -> QTextBlock | None:
    """The speaker line of message `message_id` (searched from the end, where the newest are)."""
    block = document.lastBlock()
    while block.isValid():
        if message_anchor(block) == message_id:
            return block
        block = block.previous()
    return None


def is_dark(palette: QPalette) -> bool:
    return palette.color(QPalette.ColorRole.Base).lightness() < 128


class TranscriptChrome(QObject):
    """The column, colours, action bar and jump button of one `TranscriptView`.

    Signals:
        action(str, int): an action button was pressed (verb, message id).
    """

    action = Signal(str, int)

    def __init__(
        self,
        view: QTextBrowser,
        find_message: Callable[[int], MessageView | None],
        jump_to_latest: Callable[[], None],
        *,
        with_actions: bool,
    ) -> None:
        super().__init__(view)
        self._view = view
        self._find = find_message
        self._pointer: QPoint | None = None
        self._colours: TranscriptColours | None = None
        self.actions = MessageActions(view.viewport()) if with_actions else None
        if self.actions is not None:
            self.actions.triggered.connect(self.action)
            view.cursorPositionChanged.connect(self._follow_caret)
            app = QApplication.instance()
            if isinstance(app, QApplication):
                app.focusChanged.connect(self._on_focus_changed)
        self.jump = QToolButton(view.viewport())
        self.jump.setIcon(icon("latest"))
        self.jump.setIconSize(QSize(16, 16))
        self.jump.setText("Jump to latest")
        self.jump.setToolTip("Scroll to the newest message")
        self.jump.setAccessibleName("Jump to latest")
        self.jump.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.jump.setCursor(Qt.CursorShape.PointingHandCursor)
        self.jump.clicked.connect(jump_to_latest)
        self.jump.hide()

    # -- colours and column ----------------------------------------------------------------

    def apply_style(self) -> bool:
        """Give the document the style sheet of the view's palette; True if it changed
        (what is shown must then be rendered again to take it)."""
        colours = TranscriptColours.for_theme(is_dark(self._view.palette()))
        if colours == self._colours:
            return False
        self._colours = colours
        self._view.document().setDefaultStyleSheet(transcript_css(colours))
        return True

    def fit_column(self) -> None:
        """Keep the text within MAX_COLUMN_PX, centred, whatever the view's width."""
        width = self._view.viewport().width()
        side = max(MIN_SIDE_PX, (width - MAX_COLUMN_PX) // 2)
        root = self._view.document().rootFrame()
        frame_format = root.frameFormat()
        if frame_format.leftMargin() != side or frame_format.rightMargin() != side:
            frame_format.setLeftMargin(side)
            frame_format.setRightMargin(side)
            root.setFrameFormat(frame_format)
        self.place_jump()

    def column_right(self) -> int:
        return self._view.viewport().width() - int(
            self._view.document().rootFrame().frameFormat().rightMargin()
        )

    # -- jump to latest --------------------------------------------------------------------

    def show_jump(self, scrolled_up: bool) -> None:
        self.jump.setVisible(scrolled_up)
        if scrolled_up:
            self.place_jump()

    def place_jump(self) -> None:
        self.jump.adjustSize()
        viewport = self._view.viewport()
        self.jump.move(
            viewport.width() - self.jump.width() - JUMP_MARGIN_PX,
            viewport.height() - self.jump.height() - JUMP_MARGIN_PX,
        )
        self.jump.raise_()

    # -- the action bar --------------------------------------------------------------------

    def pointer_moved(self, point: QPoint) -> None:
        self._pointer = point
        self._offer_at(self._view.cursorForPosition(point).block())

    def pointer_left(self) -> None:
        """The pointer left the text: the bar goes, or, while the keyboard is here, goes
        back to the message holding the caret."""
        self._pointer = None
        if self.actions is None or self.actions.holds_focus():
            return
        if self._view.hasFocus():
            self._follow_caret()
        else:
            self.actions.withdraw()

    def refresh(self) -> None:
        """Put the bar back where it belongs after a scroll or a new render."""
        if self.actions is None:
            return
        if self._pointer is not None:
            self.pointer_moved(self._pointer)
        elif self._keyboard_here():
            self._follow_caret()
        else:
            self.actions.withdraw()

    def withdraw(self) -> None:
        if self.actions is not None:
            self.actions.withdraw()

    def holds_focus(self) -> bool:
        return self.actions is not None and self.actions.holds_focus()

    def focus_action(self, verb: str, message_id: int) -> None:
        """Show the bar on message `message_id` and focus its `verb` button: after the
        conversation is shown again (as "‹"/"›" do), the keyboard is where it was."""
        header = header_of(self._view.document(), message_id)
        if self.actions is None or header is None:
            return
        self._offer_at(header)
        button = self.actions.button(verb)
        if button is not None and button.isVisible() and button.isEnabled():
            button.setFocus(Qt.FocusReason.TabFocusReason)
        elif self.actions.isVisible():
            self.actions.copy_button.setFocus(Qt.FocusReason.TabFocusReason)

    def _keyboard_here(self) -> bool:
        return self._view.hasFocus() or (self.actions is not None and self.actions.holds_focus())

    def _follow_caret(self) -> None:
        if self._pointer is not None or not self._view.hasFocus():
            return
        block = self._view.textCursor().block()
        if header_above(block) is None:  # the caret is above every message: the newest
            block = self._view.document().lastBlock()
        self._offer_at(block)

    def _on_focus_changed(self, _old: QWidget | None, new: QWidget | None) -> None:
        if new is self._view:
            self._follow_caret()
        elif self.actions is not None and self._pointer is None and not self.actions.holds_focus():
            self.actions.withdraw()

    def _offer_at(self, block: QTextBlock) -> None:
        bar = self.actions
        if bar is None:
            return
        found = header_above(block)
        message = self._find(found[1]) if found is not None else None
        if found is None or message is None or message.status == "streaming":
            bar.withdraw()
            return
        bar.offer(message)
        header = found[0]
        top = self._view.document().documentLayout().blockBoundingRect(header).top()
        y = round(top) - self._view.verticalScrollBar().value()
        line = header.layout().lineAt(0).height() if header.layout().lineCount() else 0
        y = max(2, y + round((line - bar.height()) / 2))
        bar.move(self.column_right() - bar.width() - BAR_GAP_PX, y)
        bar.show()
        bar.raise_()
