"""One chat turn: the user's message in, a streamed and continuously saved reply out.

The writing rule lives here: the user's message is committed before generation starts; the
reply is saved as it streams (ReplyWriter) and always ends with an explicit status, whatever
happens: complete, stopped (cancelled), or failed (with the reason). The CLI and the window
both drive this same generator.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from dataclasses import dataclass
from types import EllipsisType

from app.engine.client import EngineClient
from app.engine.protocol import ChatMessage, ChatStats, ModelInfo, SamplingParams, TextPiece
from app.errors import EngineError, HearthError, InvalidInputError
from app.store import DocumentStore, History, Message, MessageStatus, ReplyWriter, Role
from app.tasks.context_budget import fit_history, reply_budget
from app.tasks.document_context import DocumentContext, document_context


@dataclass(frozen=True)
class HistoryTrimmed:
    """Older messages were left out of the prompt so that it fits the context."""

    omitted_messages: int
    prompt_tokens: int


@dataclass(frozen=True)
class TurnFinished:
    user_message_id: int
    reply_message_id: int | None
    status: str
    stats: ChatStats


TurnEvent = HistoryTrimmed | TextPiece | TurnFinished

TEMPLATE_ALLOWANCE = 64  # role markers of the system and user messages and the reply start

FINISH_STATUS = {
    "stop": "complete",
    "length": "complete",
    "context": "complete",
    "cancelled": "stopped",
}


def prompt_messages(
    system_prompt: str | None, path: list[Message]
) -> tuple[ChatMessage | None, list[ChatMessage]]:
    """The system message and the turns to send, from the stored path to the new message."""
    system = ChatMessage("system", system_prompt) if system_prompt else None
    turns = [
        ChatMessage("user", m.content)
        if m.role == Role.USER
        else ChatMessage("assistant", m.content)
        for m in path
        if m.role == Role.USER or (m.role == Role.ASSISTANT and m.content)
    ]
    return system, turns


def run_chat_turn(
    history: History,
    engine: EngineClient,
    conversation_id: int,
    user_text: str,
    sampling: SamplingParams,
    parent_id: int | EllipsisType | None = ...,
) -> Iterator[TurnEvent]:
    """Add `user_text` and stream the model's reply, saving as it goes.

    The message goes under the conversation's active leaf, or under `parent_id`: editing a
    message is sending its new text under the same parent, a new branch beside the old one.
    """
    model = _loaded_model(engine)
    user_id = history.add_message(
        conversation_id, "user", user_text, parent_id=parent_id, model=model.name
    )
    yield from _stream_reply(history, engine, conversation_id, user_id, sampling)


def regenerate_reply(
    history: History,
    engine: EngineClient,
    conversation_id: int,
    user_message_id: int,
    sampling: SamplingParams,
) -> Iterator[TurnEvent]:
    """Stream another reply to an existing user message: a new branch, the old one kept."""
    _loaded_model(engine)
    message = history.get_message(user_message_id)
    if message.conversation_id != conversation_id or message.role != "user":
        raise InvalidInputError("A reply can only be regenerated for one of your messages.")
    history.set_active_leaf(conversation_id, user_message_id)
    yield from _stream_reply(history, engine, conversation_id, user_message_id, sampling)


CONTINUABLE = frozenset({MessageStatus.STOPPED, MessageStatus.INTERRUPTED, MessageStatus.FAILED})


def can_continue(message: Message) -> bool:
    """Whether `message` is a reply that stopped part-way and can be carried on."""
    return (
        message.role == Role.ASSISTANT
        and message.status in CONTINUABLE
        and bool(message.content)
        and message.parent_id is not None
    )


def continue_reply(
    history: History,
    engine: EngineClient,
    conversation_id: int,
    reply_message_id: int,
    sampling: SamplingParams,
) -> Iterator[TurnEvent]:
    """Carry on an unfinished reply in place: the model continues its own text, and the new
    text is appended to the same message (no new branch; nothing already written changes)."""
    _loaded_model(engine)
    message = history.get_message(reply_message_id)
    if message.conversation_id != conversation_id or not can_continue(message):
        raise InvalidInputError("Only a reply that stopped part-way can be continued.")
    assert message.parent_id is not None
    history.set_active_leaf(conversation_id, reply_message_id)
    writer = ReplyWriter.continuing(history, reply_message_id)
    yield from _stream_reply(
        history, engine, conversation_id, message.parent_id, sampling, writer, message.content
    )


def _loaded_model(engine: EngineClient) -> ModelInfo:
    if engine.model is None:
        raise EngineError("No model is loaded. Load a model first.")
    return engine.model


def _stream_reply(
    history: History,
    engine: EngineClient,
    conversation_id: int,
    user_id: int,
    sampling: SamplingParams,
    writer: ReplyWriter | None = None,
    reply_prefix: str = "",
) -> Iterator[TurnEvent]:
    """Generate the reply to `user_id` (the writing rule): into a new assistant message, or
    through `writer` onto the end of `reply_prefix`, the reply being continued."""
    model = _loaded_model(engine)
    conversation = history.get_conversation(conversation_id)
    engine.reset_cancel()  # a Stop from before this turn is not meant for it
    if writer is None:
        writer = ReplyWriter(history, conversation_id, user_id, model=model.name)
    finished = False
    try:
        path = history.path_to(user_id)
        reserve = reply_budget(sampling.max_tokens, model.n_ctx)
        documents = (
            None
            if reply_prefix
            else _document_context(history, engine, path, conversation.system_prompt, reserve)
        )
        system_prompt = conversation.system_prompt
        if documents is not None:
            system_prompt = "\n\n".join(filter(None, [system_prompt, documents.prompt]))
        system, turns = prompt_messages(system_prompt, path)
        fitted = fit_history(
            lambda messages: engine.count_tokens(messages, reply_prefix=reply_prefix),
            system,
            turns,
            model.n_ctx,
            reserve,
        )
        if fitted.omitted_messages:
            yield HistoryTrimmed(fitted.omitted_messages, fitted.prompt_tokens)
        for event in engine.chat(fitted.messages, sampling, reply_prefix):
            if isinstance(event, TextPiece):
                writer.append(event.text)
                yield event
            else:
                if documents is not None and event.finish_reason != "cancelled":
                    sources = f"\n\n*{documents.sources_line()}*"
                    writer.append(sources)
                    yield TextPiece(sources)
                status = FINISH_STATUS[event.finish_reason]
                reply_id = writer.finish(status, stats=_stats_record(event))
                finished = True
                yield TurnFinished(user_id, reply_id, status, event)
    except HearthError as exc:
        finished = True
        writer.finish("failed", error=exc.message)
        raise
    except Exception:
        finished = True
        writer.finish("failed", error="Hearth hit an internal error; details are in the log.")
        raise
    finally:
        if not finished:  # the caller stopped listening (or Ctrl+C): keep what we have
            writer.finish("stopped")


def _document_context(
    history: History,
    engine: EngineClient,
    path: list[Message],
    system_prompt: str | None,
    reserve: int,
) -> DocumentContext | None:
    """Excerpts of the conversation's documents that answer the newest message, in the
    room left beside it, the system prompt and the reply (older turns may then be left
    out, as usual, and the user is told)."""
    store = DocumentStore(history)
    documents = store.for_conversation(path[-1].conversation_id) if path else []
    if not documents:
        return None  # most conversations: no document, no extra round trip
    model = _loaded_model(engine)
    question = path[-1].content
    question_tokens, system_tokens = engine.count_texts([question, system_prompt or ""])
    budget = model.n_ctx - reserve - question_tokens - system_tokens - TEMPLATE_ALLOWANCE
    return document_context(store, documents, question, budget, engine.count_texts)


def _stats_record(stats: ChatStats) -> dict[str, object]:
    """The stats as stored with the reply (timings rounded: they are figures, not data)."""
    record: dict[str, object] = dataclasses.asdict(stats)
    record["ttft_ms"] = round(stats.ttft_ms, 1)
    record["tokens_per_s"] = round(stats.tokens_per_s, 2)
    return record
