"""How quickly the engine loads a model and stops when asked (part of the `engine` suite).

Stop must feel immediate wherever the engine is: generating (a flag checked after every
token) or reading a long prompt (llama.cpp's abort callback, checked inside the evaluation).
Reported, not judged: the issue sets no target, and the figures depend on the model (one
token, or one step of the callback, is the floor).
"""

from __future__ import annotations

import statistics
import threading
import time
from collections.abc import Iterator

from app.engine.client import EngineClient
from app.engine.protocol import ChatMessage, ChatStats, LoadConfig, SamplingParams, TextPiece
from tests.bench.figures import Figure, reported
from tests.support.tiny_gguf import long_text

RUNS = 5
CANCEL_AFTER = 0.4  # seconds into the prompt's evaluation


def _cancel_while_generating(engine: EngineClient) -> float:
    asked = 0.0
    for event in engine.chat([ChatMessage("user", "go")], SamplingParams(max_tokens=4000)):
        if isinstance(event, TextPiece) and not asked:
            asked = time.perf_counter()
            engine.cancel()
        elif isinstance(event, ChatStats):
            assert event.finish_reason == "cancelled", event
    return time.perf_counter() - asked


def _cancel_reading(engine: EngineClient, seed: int) -> float:
    """Cancel CANCEL_AFTER seconds into a long prompt (which starts differently every time,
    so nothing of it is in the cache)."""
    prompt = [ChatMessage("user", f"{seed} " + long_text(700, seed=seed))]
    asked: list[float] = []

    def cancel() -> None:
        asked.append(time.perf_counter())
        engine.cancel()

    timer = threading.Timer(CANCEL_AFTER, cancel)
    timer.start()
    events = list(engine.chat(prompt, SamplingParams(max_tokens=1)))
    timer.join()
    last = events[-1]
    assert isinstance(last, ChatStats), last
    assert last.finish_reason == "cancelled", "the prompt was read before the cancel came"
    return time.perf_counter() - asked[0]


def responsiveness_figures(
    engine: EngineClient, config: LoadConfig, label: str
) -> Iterator[Figure]:
    """Load (the engine process already running), then cancel in both places."""
    loads = []
    for _ in range(3):
        engine.unload()
        started = time.perf_counter()
        engine.load(config)
        loads.append(time.perf_counter() - started)
    yield reported(f"load, {label}", 1000 * statistics.median(loads), "ms", note="process up")
    generating = [_cancel_while_generating(engine) for _ in range(RUNS)]
    yield reported(f"cancel while generating, {label}", 1000 * statistics.median(generating), "ms")
    reading = [_cancel_reading(engine, seed) for seed in range(RUNS)]
    yield reported(
        f"cancel while reading the prompt, {label}", 1000 * statistics.median(reading), "ms"
    )
