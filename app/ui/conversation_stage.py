"""Where a conversation is shown: its transcript, or the empty state while it has no messages.

The window shows everything through here, so the two never disagree: messages (or a reply
starting to stream) bring the transcript forward; no messages bring the empty state with
its examples; a notice (no such conversation, a read that failed) is the transcript's.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtWidgets import QStackedWidget, QWidget

from app.tasks.conversation_view import MessageView
from app.ui.empty_state import EmptyState
from app.ui.transcript_view import TranscriptView


class ConversationStage(QStackedWidget):
    """The transcript and the empty state, one at a time."""

    def __init__(self, transcript: TranscriptView, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.transcript = transcript
        self.empty_state = EmptyState()
        self.addWidget(transcript)
        self.addWidget(self.empty_state)

    @property
    def showing_empty_state(self) -> bool:
        return self.currentWidget() is self.empty_state

    def show_messages(self, messages: Sequence[MessageView]) -> None:
        """A conversation's messages; none: the empty state (over an empty transcript)."""
        self.setCurrentWidget(self.transcript if messages else self.empty_state)
        self.transcript.show_messages(messages)

    def stream_below(self, shown: Sequence[MessageView], into: int | None) -> None:
        """Show `shown` and stream a reply into message `into` or a new one below them."""
        self.setCurrentWidget(self.transcript)
        self.transcript.show_messages(shown)
        self.transcript.begin_streaming(into)

    def show_notice(self, text: str) -> None:
        self.setCurrentWidget(self.transcript)
        self.transcript.show_notice(text)
