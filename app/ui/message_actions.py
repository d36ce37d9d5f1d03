"""Icon buttons for one message, over its speaker line, shown on hover and keyboard focus.

The transcript is one QTextBrowser, so a message has no widget of its own. This bar is one
small widget the view moves to the message under the pointer (or, from the keyboard, the
message holding the caret) and fills with that message's actions: Copy, Edit (yours) or
Regenerate (a reply), and ‹ › between its versions. Buttons rather than links: they take
focus with Tab, have accessible names and tooltips, and nothing is drawn into the text, so
the transcript stays quiet until the pointer or the keyboard comes to a message.
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtWidgets import QApplication, QFrame, QHBoxLayout, QLabel, QToolButton, QWidget

from app.tasks.conversation_view import MessageView
from app.ui.icons import icon
from app.ui.metrics import GAP_TIGHT

ICON_PX = 16


class MessageActions(QFrame):
    """The action buttons of the message `message_id`, floating over the transcript.

    Signals:
        triggered(str, int): a button was pressed: the verb ("copy", "edit", "regenerate",
            "previous", "next") and the message's id.
    """

    triggered = Signal(str, int)

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("messageActions")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAutoFillBackground(True)
        self.setAccessibleName("Message actions")
        self.message_id: int | None = None
        self._buttons: dict[str, QToolButton] = {}
        # Made in the order they are laid out: that is also their Tab order.
        self.previous_button = self._button("previous", "previous", "Show the previous version")
        self.version_label = QLabel()
        self.version_label.setAccessibleName("Version")
        self.next_button = self._button("next", "next", "Show the next version")
        self.copy_button = self._button("copy", "copy", "Copy this message")
        self.edit_button = self._button("edit", "edit", "Edit your message and send it again")
        self.regenerate_button = self._button("regenerate", "regenerate", "Write this reply again")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(GAP_TIGHT, 0, GAP_TIGHT, 0)
        layout.setSpacing(0)
        for widget in (
            self.previous_button,
            self.version_label,
            self.next_button,
            self.copy_button,
            self.edit_button,
            self.regenerate_button,
        ):
            layout.addWidget(widget)
        self.hide()

    def _button(self, verb: str, icon_name: str, tip: str) -> QToolButton:
        button = QToolButton(self)
        button.setIcon(icon(icon_name))
        button.setIconSize(QSize(ICON_PX, ICON_PX))
        button.setAutoRaise(True)
        button.setToolTip(tip)
        button.setAccessibleName(tip)
        button.setFocusPolicy(Qt.FocusPolicy.TabFocus)
        button.clicked.connect(lambda: self._trigger(verb))
        self._buttons[verb] = button
        return button

    def button(self, verb: str) -> QToolButton | None:
        return self._buttons.get(verb)

    def _trigger(self, verb: str) -> None:
        if self.message_id is not None:
            self.triggered.emit(verb, self.message_id)

    def offer(self, message: MessageView) -> None:
        """Fill the bar with `message`'s actions (it must be saved: it has an id)."""
        self.message_id = message.id
        self.edit_button.setVisible(message.role == "user")
        self.regenerate_button.setVisible(message.role == "assistant")
        branch = message.branch
        for widget in (self.previous_button, self.version_label, self.next_button):
            widget.setVisible(branch is not None)
        if branch is not None:
            self.version_label.setText(f"{branch.position}/{branch.count}")
            self.previous_button.setEnabled(branch.position > 1)
            self.next_button.setEnabled(branch.position < branch.count)
        self.adjustSize()

    def withdraw(self) -> None:
        """Hide the bar (the message scrolled away, the pointer left, focus went elsewhere)."""
        self.hide()
        self.message_id = None

    def holds_focus(self) -> bool:
        """Whether one of the buttons has the keyboard focus (Tab took it there)."""
        focused = QApplication.focusWidget()
        return focused is not None and self.isAncestorOf(focused)
