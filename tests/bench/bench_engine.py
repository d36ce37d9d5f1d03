"""Engine figures for the closing notes: load, time to first token, cancel latency.

Run: .venv/bin/python -m tests.bench.bench_engine   (prints a table; asserts nothing)
Models are generated into a temporary folder, as in the tests.
"""

from __future__ import annotations

import statistics
import tempfile
import threading
import time
from pathlib import Path

from app.engine.client import EngineClient
from app.engine.protocol import ChatMessage, ChatStats, LoadConfig, SamplingParams, TextPiece
from tests.support.tiny_gguf import (
    long_text,
    write_random_model,
    write_scripted_model,
    write_slow_model,
)

RUNS = 10


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def bench_first_token(engine: EngineClient, model: Path) -> None:
    started = time.perf_counter()
    info = engine.load(LoadConfig(model, n_ctx=2048, n_threads=2))
    print(
        f"load scripted model (process already up): {_ms(time.perf_counter() - started)} "
        f"(engine-side {info.load_ms:.1f} ms)"
    )
    client_ttft, engine_ttft = [], []
    for i in range(RUNS):
        sent = time.perf_counter()
        for event in engine.chat(
            [ChatMessage("user", f"Question {i}?")], SamplingParams(temperature=0, max_tokens=16)
        ):
            if isinstance(event, TextPiece) and len(client_ttft) == i:
                client_ttft.append(time.perf_counter() - sent)
            elif isinstance(event, ChatStats):
                engine_ttft.append(event.ttft_ms / 1000)
    print(
        f"time to first token, tiny model, median of {RUNS}: "
        f"client {_ms(statistics.median(client_ttft))}, "
        f"engine {_ms(statistics.median(engine_ttft))}"
    )


def bench_cancel_generating(engine: EngineClient, model: Path) -> None:
    engine.load(LoadConfig(model, n_ctx=4096, n_threads=2))
    latencies = []
    for _ in range(RUNS):
        cancelled_at = 0.0
        for event in engine.chat([ChatMessage("user", "go")], SamplingParams(max_tokens=4000)):
            if isinstance(event, TextPiece) and not cancelled_at:
                cancelled_at = time.perf_counter()
                engine.cancel()
            elif isinstance(event, ChatStats):
                latencies.append(time.perf_counter() - cancelled_at)
    print(
        f"cancel while generating (random model), median/max of {RUNS}: "
        f"{_ms(statistics.median(latencies))} / {_ms(max(latencies))}"
    )


def _cancel_and_note(engine: EngineClient, noted: list[float]) -> None:
    noted.append(time.perf_counter())
    engine.cancel()


def bench_cancel_prompt_eval(engine: EngineClient, model: Path) -> None:
    engine.load(LoadConfig(model, n_ctx=4096, n_threads=2))
    prompt = [ChatMessage("user", long_text(550))]
    tokens = engine.count_tokens(prompt)
    started = time.perf_counter()
    list(engine.chat(prompt, SamplingParams(max_tokens=1)))
    full = time.perf_counter() - started
    latencies = []
    for i in range(5):
        varied = [ChatMessage("user", f"{i} " + long_text(550, seed=i))]  # no cache reuse
        cancel_at: list[float] = []
        timer = threading.Timer(0.4, _cancel_and_note, args=(engine, cancel_at))
        timer.start()
        events = list(engine.chat(varied, SamplingParams(max_tokens=1)))
        latencies.append(time.perf_counter() - cancel_at[0])
        assert isinstance(events[-1], ChatStats)
        assert events[-1].finish_reason == "cancelled"
    print(
        f"prompt evaluation of {tokens} tokens (slow model): {full:.2f} s in full; "
        f"cancel latency median/max of 5: {_ms(statistics.median(latencies))} / "
        f"{_ms(max(latencies))}"
    )


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        scripted = write_scripted_model(root / "scripted.gguf")
        random = write_random_model(root / "random.gguf")
        slow = write_slow_model(root / "slow.gguf")
        with EngineClient(root / "bench.log") as engine:
            started = time.perf_counter()
            engine.load(LoadConfig(scripted, n_ctx=2048, n_threads=2))
            print(
                f"first load incl. starting the engine process: "
                f"{_ms(time.perf_counter() - started)}"
            )
            bench_first_token(engine, scripted)
            bench_cancel_generating(engine, random)
            bench_cancel_prompt_eval(engine, slow)


if __name__ == "__main__":
    main()
