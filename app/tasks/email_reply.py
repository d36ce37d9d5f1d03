"""Replying to an e-mail: fitting its thread into the model's context, and keeping the mail
with the draft.

The last message is never cut: when the whole thread does not fit, the oldest quoted
messages are left out first (the user is told how many); when even the last message alone
does not fit, the reply is refused with a message that says so.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from app.documents.model import Chunk
from app.engine.interface import Engine
from app.engine.protocol import ChatMessage
from app.errors import ContextOverflowError
from app.mail.draft_file import original_subject
from app.mail.model import MailThread, QuotedMessage
from app.store import DocumentStatus, DocumentStore, History
from app.tasks.email_prompts import EmailStyle, reply_prompt
from app.tasks.prompt_library import PromptLibrary

PASTED_NAME = "pasted e-mail.txt"


@dataclass(frozen=True)
class ReplySource:
    """The e-mail to answer: read from `path`, or pasted (`path` None, `raw` the text)."""

    thread: MailThread
    raw: bytes
    path: Path | None = None

    @property
    def name(self) -> str:
        return self.path.name if self.path is not None else PASTED_NAME


@dataclass(frozen=True)
class FittedReply:
    messages: list[ChatMessage]
    prompt_tokens: int
    omitted_messages: int  # earlier messages of the thread left out


def sender_name(thread: MailThread) -> str:
    sender = thread.sender
    return (sender.name or sender.address) if sender is not None else ""


def fitted_reply_prompt(
    library: PromptLibrary,
    thread: MailThread,
    points: str,
    style: EmailStyle,
    engine: Engine,
    limit: int,
) -> FittedReply:
    """The reply prompt with as much of the quoted history as fits in `limit` tokens,
    newest kept; binary search over how many of the oldest to leave out."""
    history = thread.history  # newest first

    def build(kept: int) -> list[ChatMessage]:
        return reply_prompt(
            library,
            sender=sender_name(thread) or "the sender",
            subject=original_subject(thread.subject),  # the prompt adds "Re:"
            last_message=thread.text,
            history=_history_text(history[:kept]),
            points=points,
            style=style,
        )

    tokens = engine.count_tokens(build(len(history)))
    if tokens <= limit:
        return FittedReply(build(len(history)), tokens, 0)
    low, high, best = 0, len(history) - 1, None
    while low <= high:
        kept = (low + high) // 2
        kept_tokens = engine.count_tokens(build(kept))
        if kept_tokens <= limit:
            best, low = (kept, kept_tokens), kept + 1
        else:
            high = kept - 1
    if best is None:
        raise ContextOverflowError(
            "The e-mail you are replying to is too long for this model's context: its last "
            f"message alone needs more than the {limit} tokens left for it. Raise the context "
            "length in the settings, or paste a shorter part of the message."
        )
    kept, kept_tokens = best
    return FittedReply(build(kept), kept_tokens, len(history) - kept)


def _history_text(earlier: Sequence[QuotedMessage]) -> str:
    """Earlier messages, oldest first, each under who wrote it and when (if known)."""
    blocks = []
    for quoted in reversed(earlier):
        who = str(quoted.author) if quoted.author is not None else "Someone"
        when = f" ({quoted.date})" if quoted.date else ""
        blocks.append(f"{who}{when} wrote:\n{quoted.text.strip()}")
    return "\n\n".join(blocks)


def attach_thread(
    history: History,
    conversation_id: int,
    source: ReplySource,
    count_texts: Callable[[Sequence[str]], list[int]],
) -> int:
    """Keep the e-mail with its draft: a document of the conversation, one chunk per message
    (the last first), so search and follow-up questions find its words."""
    thread = source.thread
    texts = [thread.text, *(quoted.text for quoted in thread.history)]
    texts = [text for text in texts if text.strip()]
    tokens = count_texts(texts)
    pairs = enumerate(zip(texts, tokens, strict=True))
    chunks = [Chunk(i, text, n, None, None, ()) for i, (text, n) in pairs]
    path = source.path if source.path is not None else Path(PASTED_NAME)
    return DocumentStore(history).add_document(
        conversation_id,
        path=path.resolve() if source.path is not None else path,
        kind="eml",
        title=thread.subject,
        size_bytes=len(source.raw),
        sha256=hashlib.sha256(source.raw).hexdigest(),
        page_count=None,
        chunk_budget=max(tokens, default=0),
        job_key="",  # not a summary: nothing to resume
        chunks=chunks,
        status=DocumentStatus.DONE,
    )
