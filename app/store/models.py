"""What the history store hands out: plain frozen values, never live rows.

Callers (tasks, the CLI, the window) get snapshots they may keep and pass between threads;
only `History` talks to SQLite. Roles and statuses are `StrEnum`s so they compare equal to
the strings stored in the database and in exported files.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from app.errors import InvalidInputError


class Role(StrEnum):
    """Who wrote a message."""

    SYSTEM = "system"
    USER = "user"
    ASSISTANT = "assistant"


class MessageStatus(StrEnum):
    """Where a message is in its life; anything but COMPLETE is shown with a note."""

    COMPLETE = "complete"
    STREAMING = "streaming"  # a writer process is still appending to it
    STOPPED = "stopped"  # the user pressed Stop
    FAILED = "failed"  # the engine reported an error (see Message.error)
    INTERRUPTED = "interrupted"  # its writer died mid-reply (found at the next open)


class DocumentStatus(StrEnum):
    """Where a document's summary is; anything but DONE can be resumed."""

    SUMMARIZING = "summarizing"
    DONE = "done"
    STOPPED = "stopped"  # the user pressed Stop
    FAILED = "failed"  # see StoredDocument.error
    INTERRUPTED = "interrupted"  # its writer died while summarizing (found at the next open)


# The statuses a finished reply can end in (ReplyWriter.finish).
FINAL_STATUSES = frozenset({MessageStatus.COMPLETE, MessageStatus.STOPPED, MessageStatus.FAILED})


def parse_role(value: str) -> Role:
    """`value` as a Role, or InvalidInputError naming the allowed ones."""
    try:
        return Role(value)
    except ValueError:
        allowed = ", ".join(r.value for r in Role)
        raise InvalidInputError(f"Unknown role {value!r}; use one of: {allowed}.") from None


def parse_status(value: str) -> MessageStatus:
    """`value` as a MessageStatus, or InvalidInputError naming the allowed ones."""
    try:
        return MessageStatus(value)
    except ValueError:
        allowed = ", ".join(s.value for s in MessageStatus)
        raise InvalidInputError(f"Unknown status {value!r}; use one of: {allowed}.") from None


class ConversationKind(StrEnum):
    """What a conversation is for; the window and the CLI treat each its own way."""

    CHAT = "chat"
    SUMMARY = "summary"  # a document summarized into it (then follow-up questions)
    EMAIL = "email"  # an e-mail draft and its versions


@dataclass(frozen=True)
class Conversation:
    """One conversation; its messages form a tree and `active_leaf_id` picks the shown path."""

    id: int
    title: str
    created_at: str
    updated_at: str
    model: str | None
    system_prompt: str | None
    sampling: dict[str, Any]
    pinned: bool
    deleted_at: str | None  # set while the conversation is in the trash
    active_leaf_id: int | None
    kind: ConversationKind = ConversationKind.CHAT


@dataclass(frozen=True)
class Message:
    """One node of a conversation tree; siblings are alternative edits or regenerations."""

    id: int
    conversation_id: int
    parent_id: int | None
    role: Role
    content: str
    status: MessageStatus
    created_at: str
    updated_at: str
    model: str | None
    stats: dict[str, Any] | None
    error: str | None


@dataclass(frozen=True)
class SearchHit:
    """A message matching a search; `snippet` marks matches as [word] and cuts with "…".

    `rank` is SQLite's bm25 score: lower (more negative) is a better match.
    """

    conversation_id: int
    conversation_title: str
    message_id: int
    role: Role
    snippet: str
    rank: float
