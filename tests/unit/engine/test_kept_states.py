"""Conversations' states kept by the engine process: a returning conversation is restored
from memory, or from disk after a restart, and continues exactly as a fresh evaluation would;
a damaged file, another model or other settings are never restored from."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.engine.client import EngineClient
from app.engine.protocol import (
    ChatMessage,
    ChatStats,
    LoadConfig,
    SamplingParams,
    StateCacheConfig,
    TextPiece,
)
from tests.conftest import load_config
from tests.support.tiny_gguf import long_text, write_random_model

GREEDY = SamplingParams(temperature=0.0, max_tokens=24, seed=1)
N_CTX = 1024


def conversation(topic: int) -> list[ChatMessage]:
    return [
        ChatMessage("system", "You are terse."),
        ChatMessage("user", long_text(30, seed=topic)),
    ]


def ask(
    engine: EngineClient, messages: list[ChatMessage], keep: bool = True
) -> tuple[str, ChatStats]:
    text, stats = "", None
    for event in engine.chat(messages, GREEDY, keep_state=keep):
        if isinstance(event, TextPiece):
            text += event.text
        else:
            stats = event
    assert stats is not None
    return text, stats


def follow_up(messages: list[ChatMessage], reply: str, question: str) -> list[ChatMessage]:
    return [*messages, ChatMessage("assistant", reply), ChatMessage("user", question)]


@pytest.fixture
def states(tmp_path: Path) -> Path:
    return tmp_path / "states"


def cached_config(model: Path, folder: Path, **overrides: object) -> LoadConfig:
    values: dict[str, object] = {
        "n_ctx": N_CTX,
        "state_cache": StateCacheConfig(folder, disk_bytes=256 * 1024 * 1024),
    }
    return load_config(model, **{**values, **overrides})


@pytest.fixture
def second_engine(tmp_path: Path) -> Iterator[EngineClient]:
    client = EngineClient(tmp_path / "engine-2.log")
    yield client
    client.close()


def fresh_reply(engine: EngineClient, model: Path, messages: list[ChatMessage]) -> str:
    """What a model with nothing cached answers (a fresh load clears the KV cache)."""
    engine.load(load_config(model, n_ctx=N_CTX))
    return ask(engine, messages, keep=False)[0]


def two_conversations(engine: EngineClient) -> tuple[list[ChatMessage], ChatStats]:
    """Conversation A's first turn, then B's: A's follow-up is the return to test."""
    first = conversation(1)
    reply, stats = ask(engine, first)
    ask(engine, conversation(2))  # the KV cache now holds B
    return follow_up(first, reply, "And then?"), stats


def test_a_returning_conversation_is_restored_from_memory_and_answers_the_same(
    engine: EngineClient, second_engine: EngineClient, random_model: Path, states: Path
) -> None:
    engine.load(cached_config(random_model, states))
    returning, first_stats = two_conversations(engine)

    text, stats = ask(engine, returning)

    assert stats.restored_from == "memory"
    assert stats.cached_tokens >= first_stats.prompt_tokens  # the whole first turn, at least
    assert text == fresh_reply(second_engine, random_model, returning)


def test_after_a_restart_the_state_comes_from_disk(
    engine: EngineClient, second_engine: EngineClient, random_model: Path, states: Path
) -> None:
    engine.load(cached_config(random_model, states))
    returning, first_stats = two_conversations(engine)
    engine.close()  # waits for the state writer: the files are complete
    assert len(list(states.glob("*.kvstate"))) == 2

    second_engine.load(cached_config(random_model, states))
    text, stats = ask(second_engine, returning)

    assert stats.restored_from == "disk"
    assert stats.cached_tokens >= first_stats.prompt_tokens
    assert text == fresh_reply(second_engine, random_model, returning)


def test_a_damaged_state_file_is_dropped_and_the_prompt_evaluated(
    engine: EngineClient, second_engine: EngineClient, random_model: Path, states: Path
) -> None:
    engine.load(cached_config(random_model, states))
    returning, _ = two_conversations(engine)
    engine.close()
    for path in states.glob("*.kvstate"):
        data = bytearray(path.read_bytes())
        data[len(data) // 2] ^= 0xFF
        path.write_bytes(bytes(data))

    second_engine.load(cached_config(random_model, states))
    text, stats = ask(second_engine, returning, keep=False)

    assert (stats.restored_from, stats.cached_tokens) == ("", 0)
    assert list(states.glob("*.kvstate")) == []
    assert text == fresh_reply(second_engine, random_model, returning)


@pytest.mark.parametrize("change", ["nothing", "context", "kv type", "model file"])
def test_another_model_or_setting_never_restores(
    engine: EngineClient,
    second_engine: EngineClient,
    states: Path,
    tmp_path: Path,
    change: str,
) -> None:
    # A head size of 32, which a q8_0 KV cache needs; a file of its own, to be "replaced"
    model = write_random_model(tmp_path / "model.gguf", n_embd=128, n_head=4)
    engine.load(cached_config(model, states))
    returning, _ = two_conversations(engine)
    engine.close()
    if change == "model file":  # replaced by a re-download, say
        stat = model.stat()
        os.utime(model, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))
    overrides = {"context": {"n_ctx": 2048}, "kv type": {"kv_cache_type": "q8_0"}}
    second_engine.load(cached_config(model, states, **overrides.get(change, {})))

    _, stats = ask(second_engine, returning, keep=False)

    if change == "nothing":  # the same setup does restore: the check below can fail
        assert stats.restored_from == "disk"
    else:
        assert (stats.restored_from, stats.cached_tokens) == ("", 0)


def test_without_a_state_cache_nothing_is_kept(engine: EngineClient, random_model: Path) -> None:
    engine.load(load_config(random_model, n_ctx=N_CTX))
    returning, _ = two_conversations(engine)

    _, stats = ask(engine, returning)

    assert stats.restored_from == ""
    assert stats.cached_tokens < 40  # only the system prompt's tokens that B shares
