"""Leaving out old turns so the prompt fits: whole turns, system prompt kept, never silent."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest

from app.engine.client import EngineClient
from app.engine.protocol import ChatMessage
from app.errors import ContextOverflowError
from app.tasks.context_budget import fit_history, reply_budget, split_turns
from tests.conftest import load_config

SYSTEM = ChatMessage("system", "You are terse.")


def conversation(turns: int, words: int = 20) -> list[ChatMessage]:
    messages: list[ChatMessage] = []
    for i in range(turns):
        messages.append(ChatMessage("user", f"question {i} " + "word " * words))
        messages.append(ChatMessage("assistant", f"answer {i} " + "word " * words))
    messages.append(ChatMessage("user", "the last question"))
    return messages


def word_count(messages: Sequence[ChatMessage]) -> int:
    """A stand-in tokenizer for the pure logic: one token per word plus 4 per message."""
    return sum(len(m.content.split()) + 4 for m in messages)


def test_split_turns_starts_each_turn_at_a_user_message() -> None:
    turns = split_turns(conversation(2))
    assert [[m.role for m in t] for t in turns] == [
        ["user", "assistant"],
        ["user", "assistant"],
        ["user"],
    ]


def test_everything_fits_nothing_omitted() -> None:
    history = conversation(3)
    fitted = fit_history(word_count, SYSTEM, history, n_ctx=10_000, reserve=100)
    assert fitted.omitted_messages == 0
    assert fitted.messages == [SYSTEM, *history]
    assert fitted.prompt_tokens == word_count(fitted.messages)


def test_oldest_turns_are_left_out_and_counted() -> None:
    history = conversation(10)  # each turn: 2 x (22 words + 4) = 52 "tokens"
    fitted = fit_history(word_count, SYSTEM, history, n_ctx=300, reserve=100)
    assert fitted.messages[0] == SYSTEM
    assert fitted.messages[-1] == history[-1]
    assert fitted.prompt_tokens <= 200
    assert fitted.omitted_messages > 0
    assert fitted.omitted_messages % 2 == 0  # whole turns only
    assert fitted.messages[1:] == history[fitted.omitted_messages :]
    # As many turns as fit are kept: one more would not fit.
    one_more = [SYSTEM, *history[fitted.omitted_messages - 2 :]]
    assert word_count(one_more) > 200


def test_a_message_too_long_for_the_context_is_an_error_not_a_crash() -> None:
    history = [ChatMessage("user", "word " * 500)]
    with pytest.raises(ContextOverflowError, match="too long"):
        fit_history(word_count, SYSTEM, history, n_ctx=512, reserve=100)


def test_reply_budget_never_takes_more_than_half_the_context() -> None:
    assert reply_budget(256, 4096) == 256
    assert reply_budget(10_000, 4096) == 2048


def test_with_the_models_own_tokenizer(engine: EngineClient, scripted_model: Path) -> None:
    engine.load(load_config(scripted_model, n_ctx=512))
    history = conversation(12, words=15)
    assert engine.count_tokens([SYSTEM, *history]) > 512
    fitted = fit_history(engine.count_tokens, SYSTEM, history, n_ctx=512, reserve=64)
    assert fitted.omitted_messages > 0
    assert fitted.messages[0] == SYSTEM
    assert fitted.prompt_tokens == engine.count_tokens(fitted.messages)
    assert fitted.prompt_tokens <= 512 - 64
