"""Fitting a conversation into the model's context.

Before each turn the whole templated prompt is counted with the model's own tokenizer. When
it does not fit into the context minus the room kept for the reply, the oldest turns are left
out, whole turns at a time (a user message with the replies that follow it, so roles keep
alternating as templates demand). The system prompt always stays, and the caller is told how
many messages were left out: never silent truncation, never a crash.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from app.engine.protocol import ChatMessage
from app.errors import ContextOverflowError

TokenCounter = Callable[[Sequence[ChatMessage]], int]


@dataclass(frozen=True)
class FittedPrompt:
    messages: list[ChatMessage]
    prompt_tokens: int
    omitted_messages: int


def reply_budget(max_tokens: int, n_ctx: int) -> int:
    """Room kept for the reply: max_tokens, but never more than half the context."""
    return max(1, min(max_tokens, n_ctx // 2))


def split_turns(history: Sequence[ChatMessage]) -> list[list[ChatMessage]]:
    """Group messages into turns, each starting at a user message."""
    turns: list[list[ChatMessage]] = []
    for message in history:
        if message.role == "user" or not turns:
            turns.append([message])
        else:
            turns[-1].append(message)
    return turns


def fit_history(
    count: TokenCounter,
    system: ChatMessage | None,
    history: Sequence[ChatMessage],
    n_ctx: int,
    reserve: int,
) -> FittedPrompt:
    """The longest recent part of `history` that fits into `n_ctx - reserve` tokens.

    Binary search over how many old turns to drop: the token count only grows with more
    turns, and each count is one round trip to the engine.
    """
    limit = n_ctx - reserve
    head = [system] if system is not None else []
    turns = split_turns(history)

    def build(dropped: int) -> list[ChatMessage]:
        return head + [m for turn in turns[dropped:] for m in turn]

    tokens = count(build(0))
    if tokens <= limit:
        return FittedPrompt(build(0), tokens, 0)
    low, high = 1, len(turns) - 1  # keep at least the last turn
    best: tuple[int, int] | None = None
    while low <= high:
        middle = (low + high) // 2
        middle_tokens = count(build(middle))
        if middle_tokens <= limit:
            best, high = (middle, middle_tokens), middle - 1
        else:
            low = middle + 1
    if best is None:
        last_tokens = count(build(len(turns) - 1)) if len(turns) > 1 else tokens
        raise ContextOverflowError(
            f"Your message is too long for this model's context: it needs {last_tokens} "
            f"tokens, and only {limit} of the {n_ctx} are free after the {reserve} kept for "
            "the reply. Shorten the message, lower the reply length, or raise the context "
            "length."
        )
    dropped, fitted_tokens = best
    omitted = sum(len(turn) for turn in turns[:dropped])
    return FittedPrompt(build(dropped), fitted_tokens, omitted)
