"""Which of a conversation's messages the transcript has materialized.

Opening a long conversation renders only its last INITIAL_MESSAGES messages; earlier ones
are added above, PAGE_MESSAGES at a time, when the user scrolls to the top. The messages
shown are always a suffix of the conversation: `messages[first_shown:]`.
"""

from __future__ import annotations

from collections.abc import Sequence

from app.tasks.conversation_view import MessageView

INITIAL_MESSAGES = 60  # materialized when a conversation opens
PAGE_MESSAGES = 20  # added above when the user reaches the top (~1-2 ms each)


class MessagePages:
    """A conversation's messages and where the materialized suffix of them starts."""

    def __init__(self) -> None:
        self.messages: list[MessageView] = []
        self.first_shown = 0  # index in `messages` of the first materialized message

    def open(self, messages: Sequence[MessageView]) -> list[MessageView]:
        """Take a new conversation; the last messages, which are to be materialized."""
        self.messages = list(messages)
        self.first_shown = max(0, len(self.messages) - INITIAL_MESSAGES)
        return self.messages[self.first_shown :]

    def clear(self) -> None:
        self.messages = []
        self.first_shown = 0

    def earlier_page(self) -> list[MessageView]:
        """The next page above the materialized ones, now counted as materialized."""
        start = max(0, self.first_shown - PAGE_MESSAGES)
        page = self.messages[start : self.first_shown]
        self.first_shown = start
        return page

    @property
    def earlier_count(self) -> int:
        """How many earlier messages are not materialized yet."""
        return self.first_shown

    @property
    def shown_count(self) -> int:
        return len(self.messages) - self.first_shown

    @property
    def last(self) -> MessageView | None:
        return self.messages[-1] if self.messages else None

    def append(self, message: MessageView) -> None:
        """A message added at the end (it is materialized at once)."""
        self.messages.append(message)

    def replace_last(self, message: MessageView) -> None:
        self.messages[-1] = message
