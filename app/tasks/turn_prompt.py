"""What a chat turn sends to the model, built in one place.

The turn itself and the composer's live token count both use `build_turn_prompt`, so the
count the user sees is the prompt the turn will send: the system prompt, the excerpts of
the conversation's documents that answer the newest message, and as many recent turns as
fit beside the room kept for the reply.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from app.engine.client import EngineClient
from app.engine.protocol import ChatMessage, ModelInfo
from app.store import DocumentStore, History, Message, Role
from app.tasks.context_budget import fit_history
from app.tasks.document_context import DocumentContext, document_context

TEMPLATE_ALLOWANCE = 64  # role markers of the system and user messages and the reply start


@dataclass(frozen=True)
class TurnPrompt:
    messages: list[ChatMessage]
    prompt_tokens: int
    omitted_messages: int  # older messages left out so that the prompt fits
    documents: DocumentContext | None  # the excerpts used, to name as sources


def prompt_messages(
    system_prompt: str | None, path: Sequence[Message]
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


def build_turn_prompt(
    history: History,
    engine: EngineClient,
    model: ModelInfo,
    path: Sequence[Message],
    reserve: int,
    reply_prefix: str = "",
) -> TurnPrompt:
    """The prompt for the reply to the last message of `path`, fitted into the context.

    A continued reply (`reply_prefix`) keeps the prompt it was started with: no excerpts."""
    conversation = history.get_conversation(path[-1].conversation_id)
    system_prompt = conversation.system_prompt
    documents = (
        None
        if reply_prefix
        else _document_context(history, engine, model, path, system_prompt, reserve)
    )
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
    return TurnPrompt(fitted.messages, fitted.prompt_tokens, fitted.omitted_messages, documents)


def _document_context(
    history: History,
    engine: EngineClient,
    model: ModelInfo,
    path: Sequence[Message],
    system_prompt: str | None,
    reserve: int,
) -> DocumentContext | None:
    """Excerpts of the conversation's documents that answer the newest message, in the
    room left beside it, the system prompt and the reply (older turns may then be left
    out, as usual, and the user is told)."""
    store = DocumentStore(history)
    documents = store.for_conversation(path[-1].conversation_id)
    if not documents:
        return None  # most conversations: no document, no extra round trip
    question = path[-1].content
    question_tokens, system_tokens = engine.count_texts([question, system_prompt or ""])
    budget = model.n_ctx - reserve - question_tokens - system_tokens - TEMPLATE_ALLOWANCE
    return document_context(store, documents, question, budget, engine.count_texts)
