"""What a chat turn sends to the model, built in one place.

The turn itself and the composer's live token count both use `build_turn_prompt`, so the
count the user sees is the prompt the turn will send: the system prompt, the excerpts of
the conversation's documents that answer the newest message, and as many recent turns as
fit beside the room kept for the reply.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from app.engine.interface import Engine
from app.engine.protocol import ChatMessage, ModelInfo, SamplingParams
from app.errors import ContextOverflowError
from app.store import DocumentStore, History, Message, Role
from app.tasks.context_budget import fit_history, reply_budget
from app.tasks.document_context import DocumentContext, document_context
from app.tasks.engine_job import require_model

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
    engine: Engine,
    model: ModelInfo,
    conversation_id: int,
    path: Sequence[Message],
    reserve: int,
    *,
    reply_prefix: str = "",
    draft: str = "",
) -> TurnPrompt:
    """The prompt for the reply to the last message of `path` (or to `draft`, a message
    not sent yet, after it), fitted into the context.

    A continued reply (`reply_prefix`) keeps the prompt it was started with: no excerpts."""
    conversation = history.get_conversation(conversation_id)
    system_prompt = conversation.system_prompt
    question = draft or (path[-1].content if path else "")
    documents = (
        None
        if reply_prefix or not question
        else _document_context(
            history, engine, model, conversation_id, question, system_prompt, reserve
        )
    )
    if documents is not None:
        system_prompt = "\n\n".join(filter(None, [system_prompt, documents.prompt]))
    system, turns = prompt_messages(system_prompt, path)
    if draft:
        turns.append(ChatMessage("user", draft))
    fitted = fit_history(
        lambda messages: engine.count_tokens(messages, reply_prefix=reply_prefix),
        system,
        turns,
        model.n_ctx,
        reserve,
    )
    return TurnPrompt(fitted.messages, fitted.prompt_tokens, fitted.omitted_messages, documents)


def count_draft(
    history: History,
    engine: Engine,
    conversation_id: int,
    draft: str,
    sampling: SamplingParams,
) -> int:
    """Tokens of the prompt that sending `draft` now would send (the composer's count)."""
    model = require_model(engine)
    path = history.active_path(conversation_id)
    reserve = reply_budget(sampling.max_tokens, model.n_ctx)
    try:
        prompt = build_turn_prompt(
            history, engine, model, conversation_id, path, reserve, draft=draft.strip()
        )
    except ContextOverflowError:  # the draft alone is too long: show what it alone takes
        system_prompt = history.get_conversation(conversation_id).system_prompt
        system = [ChatMessage("system", system_prompt)] if system_prompt else []
        return engine.count_tokens([*system, ChatMessage("user", draft)])
    return prompt.prompt_tokens


def _document_context(
    history: History,
    engine: Engine,
    model: ModelInfo,
    conversation_id: int,
    question: str,
    system_prompt: str | None,
    reserve: int,
) -> DocumentContext | None:
    """Excerpts of the conversation's documents that answer `question`, in the room left
    beside it, the system prompt and the reply (older turns may then be left out, as
    usual, and the user is told)."""
    store = DocumentStore(history)
    documents = store.for_conversation(conversation_id)
    if not documents:
        return None  # most conversations: no document, no extra round trip
    question_tokens, system_tokens = engine.count_texts([question, system_prompt or ""])
    budget = model.n_ctx - reserve - question_tokens - system_tokens - TEMPLATE_ALLOWANCE
    return document_context(store, documents, question, budget, engine.count_texts)
