"""Cancel, crashes and bad files: the engine stops fast, reports clearly and recovers."""

from __future__ import annotations

import os
import signal
import threading
import time
from pathlib import Path

import pytest

from app.engine.client import EngineClient
from app.engine.protocol import ChatMessage, ChatStats, SamplingParams, TextPiece
from app.errors import EngineCrashedError, ModelFileError
from tests.conftest import load_config
from tests.support.tiny_gguf import long_text

ENDLESS = SamplingParams(temperature=0.8, max_tokens=100_000, seed=5)
HELLO = [ChatMessage("user", "Say hello.")]


def test_cancel_while_generating_stops_and_keeps_the_model_usable(
    engine: EngineClient, random_model: Path
) -> None:
    engine.load(load_config(random_model, n_ctx=4096))
    pieces, stats, cancelled_at = 0, None, 0.0
    for event in engine.chat(HELLO, ENDLESS):
        if isinstance(event, TextPiece):
            pieces += 1
            if pieces == 5:
                cancelled_at = time.perf_counter()
                engine.cancel()
        else:
            stats = event
    assert cancelled_at > 0
    assert isinstance(stats, ChatStats)
    assert stats.finish_reason == "cancelled"
    assert stats.completion_tokens < 4000  # far from the 4096-token context
    after = list(engine.chat(HELLO, SamplingParams(max_tokens=8, seed=1)))
    assert isinstance(after[-1], ChatStats)
    assert after[-1].finish_reason == "length"


@pytest.mark.slow
@pytest.mark.parametrize("after_a_reply", [False, True])
def test_cancel_during_prompt_evaluation(
    engine: EngineClient, slow_model: Path, after_a_reply: bool
) -> None:
    engine.load(load_config(slow_model, n_ctx=4096))
    if after_a_reply:  # generating turns llama.cpp's abort callback off until the reply ends
        list(engine.chat(HELLO, SamplingParams(max_tokens=3, seed=1)))
    long_prompt = [ChatMessage("user", long_text(550))]
    prompt_tokens = engine.count_tokens(long_prompt)
    assert prompt_tokens > 2500
    timer = threading.Timer(0.3, engine.cancel)
    started = time.perf_counter()
    timer.start()
    events = list(engine.chat(long_prompt, SamplingParams(max_tokens=4, seed=1)))
    elapsed = time.perf_counter() - started
    stats = events[-1]
    assert isinstance(stats, ChatStats)
    assert stats.finish_reason == "cancelled"
    assert stats.completion_tokens == 0  # stopped before the first token
    # The model stays usable, for the same long prompt too; evaluating it in full takes far
    # longer than the cancelled attempt did (so the cancel interrupted the evaluation).
    started = time.perf_counter()
    again = list(engine.chat(long_prompt, SamplingParams(max_tokens=3, seed=1)))
    full = time.perf_counter() - started
    assert isinstance(again[-1], ChatStats)
    assert again[-1].completion_tokens == 3
    assert elapsed < full / 2, f"cancelled after {elapsed:.2f} s; a full run took {full:.2f} s"


@pytest.mark.parametrize("signal_number", [signal.SIGKILL, signal.SIGABRT, signal.SIGSEGV])
def test_engine_death_mid_stream_is_reported_at_once_and_restart_works(
    engine: EngineClient, random_model: Path, signal_number: int
) -> None:
    engine.load(load_config(random_model, n_ctx=4096))
    received: list[str] = []
    with pytest.raises(EngineCrashedError) as caught:
        for event in engine.chat(HELLO, ENDLESS):
            if isinstance(event, TextPiece):
                received.append(event.text)
                if len(received) == 3:
                    assert engine.pid is not None
                    os.kill(engine.pid, signal_number)
    assert signal.Signals(signal_number).name in caught.value.message
    assert "reload" in caught.value.message.lower()
    assert len(received) >= 3  # what streamed before the crash stays with the caller
    assert not engine.is_running
    info = engine.restart()
    assert info is not None
    assert info.path == random_model
    done = list(engine.chat(HELLO, SamplingParams(max_tokens=4, seed=2)))
    assert isinstance(done[-1], ChatStats)


@pytest.mark.parametrize("kind", ["empty", "truncated", "wrong_magic", "random_bytes", "text"])
def test_bad_model_files_are_refused_with_the_file_named(
    engine: EngineClient, bad_model_files: dict[str, Path], scripted_model: Path, kind: str
) -> None:
    bad = bad_model_files[kind]
    with pytest.raises(ModelFileError) as caught:
        engine.load(load_config(bad))
    assert str(bad) in caught.value.message
    assert "not a usable GGUF model" in caught.value.message
    assert engine.load(load_config(scripted_model)).name == "Scripted Tiny"


def test_missing_model_file(engine: EngineClient, tmp_path: Path) -> None:
    with pytest.raises(ModelFileError, match="There is no model file"):
        engine.load(load_config(tmp_path / "nowhere.gguf"))
