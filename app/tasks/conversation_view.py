"""What the window shows of a conversation: typed views, not database rows.

A `ConversationView` is one conversation's shown path, built in one go off the UI thread:
each message with what the transcript needs to draw it (where it stands among its
siblings, whether it can be continued). A message the user has just sent and the engine's
thread is still saving is a `MessageView` without an id (`MessageView.pending`), not a
made-up row.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.store import History, Message, MessageStatus, Role
from app.tasks.branches import branch_positions
from app.tasks.chat_turn import can_continue


@dataclass(frozen=True)
class BranchPosition:
    """The message is sibling `position` (1-based) of `count`: edits or regenerations."""

    position: int
    count: int


@dataclass(frozen=True)
class MessageView:
    id: int | None  # None: just sent, still being saved
    conversation_id: int | None
    role: Role
    content: str
    status: MessageStatus
    error: str | None = None
    branch: BranchPosition | None = None
    continuable: bool = False  # a reply that stopped part-way
    created_at: str | None = None  # the store's UTC timestamp; None until it is saved
    model: str | None = None  # the model that wrote a reply
    tokens_per_s: float | None = None  # how fast it was written

    @classmethod
    def of(cls, message: Message, branch: BranchPosition | None = None) -> MessageView:
        speed = (message.stats or {}).get("tokens_per_s")
        return cls(
            message.id,
            message.conversation_id,
            Role(message.role),
            message.content,
            MessageStatus(message.status),
            message.error,
            branch,
            can_continue(message),
            message.created_at,
            message.model,
            float(speed) if isinstance(speed, int | float) else None,
        )

    @classmethod
    def pending(cls, conversation_id: int, text: str) -> MessageView:
        """The user's message as sent, shown at once while it is being saved."""
        return cls(None, conversation_id, Role.USER, text, MessageStatus.COMPLETE)

    @classmethod
    def streamed(
        cls, conversation_id: int | None, text: str, message_id: int | None = None
    ) -> MessageView:
        """A reply as it was streamed, until the stored one is read back."""
        return cls(message_id, conversation_id, Role.ASSISTANT, text, MessageStatus.COMPLETE)


@dataclass(frozen=True)
class ConversationView:
    id: int
    title: str
    model: str | None
    messages: tuple[MessageView, ...]


def conversation_view(
    history: History, conversation_id: int, *, last_message_id: int | None = None
) -> ConversationView:
    """The conversation's active path, or the path ending at `last_message_id`."""
    conversation = history.get_conversation(conversation_id)
    path = (
        history.path_to(last_message_id)
        if last_message_id is not None
        else history.active_path(conversation_id)
    )
    positions = branch_positions(history, path)
    messages = tuple(
        MessageView.of(m, BranchPosition(*positions[m.id]) if m.id in positions else None)
        for m in path
    )
    return ConversationView(conversation.id, conversation.title, conversation.model, messages)
