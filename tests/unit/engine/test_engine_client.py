"""The engine process on real llama.cpp with generated models: load, stream, count, unload."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.engine.client import EngineClient
from app.engine.protocol import (
    ChatMessage,
    ChatStats,
    Failure,
    LoadProgress,
    SamplingParams,
    TextPiece,
)
from app.errors import ContextOverflowError, EngineError
from tests.conftest import load_config

GREEDY = SamplingParams(temperature=0.0, max_tokens=32, seed=1)
QUESTION = [ChatMessage("system", "Be brief."), ChatMessage("user", "Say hello.")]


def collect(events: object) -> tuple[str, ChatStats]:
    pieces: list[str] = []
    stats: ChatStats | None = None
    for event in events:  # type: ignore[attr-defined]
        if isinstance(event, TextPiece):
            pieces.append(event.text)
        else:
            stats = event
    assert stats is not None, "a chat stream must end with its stats"
    return "".join(pieces), stats


def test_load_describes_the_model(engine: EngineClient, scripted_model: Path) -> None:
    info = engine.load(load_config(scripted_model))
    assert info.name == "Scripted Tiny"
    assert info.architecture == "llama"
    assert info.n_ctx == 512
    assert info.has_chat_template
    assert info.warnings == ()
    assert info.file_size == scripted_model.stat().st_size
    assert engine.model == info


def test_chat_streams_pieces_then_stats(engine: EngineClient, scripted_model: Path) -> None:
    engine.load(load_config(scripted_model))
    pieces = list(engine.chat(QUESTION, GREEDY))
    assert all(isinstance(p, TextPiece) for p in pieces[:-1])
    text, stats = collect(pieces)
    assert len(pieces) >= 3  # streamed, not one lump
    assert text == "Hello, world!"
    assert stats.finish_reason == "stop"
    assert stats.prompt_tokens == engine.count_tokens(QUESTION)
    assert stats.completion_tokens == len(pieces) - 1
    assert stats.ttft_ms > 0


def test_sampling_at_temperature_still_follows_the_script(
    engine: EngineClient, scripted_model: Path
) -> None:
    engine.load(load_config(scripted_model))
    text, _ = collect(engine.chat(QUESTION, SamplingParams(temperature=0.9, max_tokens=32)))
    assert text == "Hello, world!"


def test_max_tokens_ends_with_length(engine: EngineClient, random_model: Path) -> None:
    engine.load(load_config(random_model))
    _, stats = collect(engine.chat(QUESTION, SamplingParams(max_tokens=20, seed=3)))
    assert stats.finish_reason == "length"
    assert stats.completion_tokens == 20
    assert stats.tokens_per_s > 0


def test_each_request_gets_a_fresh_seed_unless_given(
    engine: EngineClient, random_model: Path
) -> None:
    engine.load(load_config(random_model))
    hot = SamplingParams(temperature=1.5, top_p=1.0, top_k=0, min_p=0.0, max_tokens=24)
    first, first_stats = collect(engine.chat(QUESTION, hot))
    second, second_stats = collect(engine.chat(QUESTION, hot))
    assert first_stats.seed != second_stats.seed
    assert first != second
    fixed = SamplingParams(temperature=1.5, top_p=1.0, top_k=0, min_p=0.0, max_tokens=24, seed=42)
    assert collect(engine.chat(QUESTION, fixed))[0] == collect(engine.chat(QUESTION, fixed))[0]


def test_follow_up_turn_reuses_the_cached_prefix(
    engine: EngineClient, scripted_model: Path
) -> None:
    engine.load(load_config(scripted_model))
    reply, first = collect(engine.chat(QUESTION, GREEDY))
    assert first.cached_tokens == 0
    follow_up = [*QUESTION, ChatMessage("assistant", reply), ChatMessage("user", "Again.")]
    _, second = collect(engine.chat(follow_up, GREEDY))
    assert second.prompt_tokens > first.prompt_tokens
    # Everything up to the end of the first prompt is still in the KV cache.
    assert first.prompt_tokens <= second.cached_tokens < second.prompt_tokens


def test_count_tokens_uses_the_chat_template(engine: EngineClient, scripted_model: Path) -> None:
    engine.load(load_config(scripted_model))
    short = engine.count_tokens([ChatMessage("user", "hi")])
    longer = engine.count_tokens([ChatMessage("user", "hi"), ChatMessage("assistant", "hello")])
    without_prompt = engine.count_tokens([ChatMessage("user", "hi")], add_generation_prompt=False)
    assert 0 < without_prompt < short < longer


def test_count_texts_counts_plain_text_one_by_one(
    engine: EngineClient, scripted_model: Path
) -> None:
    engine.load(load_config(scripted_model))
    counts = engine.count_texts(["", "hi", "hi there, how are you", "<|im_start|>"])
    assert counts[0] == 0
    assert 0 < counts[1] < counts[2]
    # Control-token text inside a document is text, not a control token.
    assert counts[3] > 1
    # A plain text costs as much inside a message as on its own, give or take a joining token.
    empty = engine.count_tokens([ChatMessage("user", "")])
    inside = engine.count_tokens([ChatMessage("user", "hi there, how are you")])
    assert abs((inside - empty) - counts[2]) <= 1


def test_model_without_chat_template_works_with_a_named_warning(
    engine: EngineClient, scripted_model_no_template: Path
) -> None:
    info = engine.load(load_config(scripted_model_no_template))
    assert not info.has_chat_template
    assert len(info.warnings) == 1
    assert "No Template Tiny" in info.warnings[0]
    text, stats = collect(engine.chat(QUESTION, GREEDY))
    assert text == "Hello, world!"
    assert stats.finish_reason == "stop"


def test_unload_frees_the_model(engine: EngineClient, scripted_model: Path) -> None:
    engine.load(load_config(scripted_model))
    engine.unload()
    assert engine.model is None
    with pytest.raises(EngineError, match="No model is loaded"):
        list(engine.chat(QUESTION, GREEDY))


def test_native_logs_go_to_the_log_file_not_the_terminal(
    tmp_path: Path, scripted_model: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    log_file = tmp_path / "hearth.log"
    with EngineClient(log_file) as client:
        client.load(load_config(scripted_model))
        collect(client.chat(QUESTION, GREEDY))
    out, err = capfd.readouterr()
    assert out == ""
    assert err == ""
    logged = log_file.read_text(encoding="utf-8")
    assert "hearth.llama" in logged
    assert "llama_model_loader" in logged or "llama_context" in logged


def test_load_reports_progress_up_to_the_whole_model(
    engine: EngineClient, scripted_model: Path
) -> None:
    seen: list[float] = []
    engine.load(load_config(scripted_model), on_progress=seen.append)
    assert seen[0] == 0.0
    assert seen[-1] == 1.0
    assert seen == sorted(seen)
    assert len(seen) > 2


def test_a_cancelled_load_stops_part_way_and_leaves_no_model(
    engine: EngineClient, scripted_model: Path
) -> None:
    engine.start()
    # The cancel reaches the engine while it is still opening the file: its progress
    # callback then tells llama.cpp to stop at the first tensor.
    rid = engine._send("load", load_config(scripted_model))
    engine._send_cancel(rid)
    progress = []
    while not (reply := engine._next_reply(rid)).final:
        progress.append(reply.event)
    assert isinstance(reply.event, Failure)
    assert reply.event.kind == "cancelled"
    assert "scripted-tiny.gguf was stopped" in reply.event.message
    assert all(isinstance(event, LoadProgress) and event.fraction < 1.0 for event in progress)
    with pytest.raises(EngineError, match="No model is loaded"):
        engine.count_tokens([ChatMessage("user", "hi")])
    # The engine goes on: the next load works.
    assert engine.load(load_config(scripted_model)).name == "Scripted Tiny"


def test_a_cancel_during_token_counting_stops_the_reply_that_follows(
    engine: EngineClient, random_model: Path
) -> None:
    engine.load(load_config(random_model))
    engine.cancel()  # e.g. Ctrl+C while a turn still counts its prompt
    engine.count_tokens(QUESTION)
    _, stats = collect(engine.chat(QUESTION, SamplingParams(max_tokens=500, seed=1)))
    assert stats.finish_reason == "cancelled"
    assert stats.completion_tokens < 500
    # Once that reply has ended, the cancel is spent: the next reply runs in full.
    _, again = collect(engine.chat(QUESTION, SamplingParams(max_tokens=20, seed=1)))
    assert (again.finish_reason, again.completion_tokens) == ("length", 20)


def test_a_context_llama_cpp_rounds_up_is_used_as_asked(
    engine: EngineClient, random_model: Path
) -> None:
    """llama.cpp makes a 384-token context 512 inside, but the library's buffer holds 384:
    the engine says 384, and a prompt between the two is refused with a message for people
    instead of failing inside the library."""
    info = engine.load(load_config(random_model, n_ctx=384))
    assert info.n_ctx == 384
    words = 10
    while engine.count_tokens([ChatMessage("user", "word " * words)]) < 420:
        words += 10
    prompt = [ChatMessage("user", "word " * words)]
    assert engine.count_tokens(prompt) < 512
    with pytest.raises(ContextOverflowError, match="context holds 384"):
        collect(engine.chat(prompt, SamplingParams(max_tokens=8, seed=1)))
