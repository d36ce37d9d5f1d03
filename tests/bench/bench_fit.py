"""Will-it-fit estimates against the engine process's real memory use.

Run: .venv/bin/python -m tests.bench.bench_fit   (prints a table; asserts nothing; ~3 min)

Three random f16 models of clearly different sizes (~50, ~200 and ~540 MB; llama-shaped, GQA,
written into a temporary folder with tests/support/tiny_gguf.py), each at two context
lengths (the large one at 2048 and 4096: filling 8192 tokens would take it minutes on two
cores). For every row a fresh engine process is started, exactly as Hearth starts one.

What is measured, and why this is fair:
- baseline: the RSS of the fresh engine process once it is up and idle. The engine imports
  llama_cpp when it starts, before it reads its first request, so one round trip (a token
  count with nothing loaded, which fails) proves the import is done. A tiny model is NOT
  loaded first: the one-time costs of a first load (thread pool, llama.cpp code pages, the
  jinja template machinery) are part of what loading a model costs, and the estimate's fixed
  overhead has to cover them.
- after a short chat: the model is loaded and a short exchange has run. Weights are resident
  (llama.cpp prefetches the mapped file) and the KV cache is resident (cleared at load), but
  only a sliver of the compute buffers has been touched.
- after a full context: one prompt of n_ctx - 8 tokens, so that the last 504-token
  micro-batch attends over the whole context. This is the worst case the estimate is for
  (summarizing a long document) and the column the error is computed against.

Error = (estimate - growth after a full context) / growth after a full context.
"""

from __future__ import annotations

import contextlib
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import psutil

from app.catalog.fit import MiB, estimate_memory
from app.catalog.model_shape import ModelShape, shape_from_gguf
from app.engine.client import EngineClient
from app.engine.protocol import ChatMessage, LoadConfig, SamplingParams
from app.errors import EngineError
from tests.support.tiny_gguf import long_text, write_random_model


@dataclass(frozen=True)
class BenchModel:
    name: str
    n_embd: int
    n_layer: int
    n_head: int
    n_kv_head: int
    n_ff: int
    contexts: tuple[int, ...]


MODELS = (
    BenchModel("small", n_embd=512, n_layer=8, n_head=8, n_kv_head=4, n_ff=1536,
               contexts=(2048, 8192)),
    BenchModel("medium", n_embd=1024, n_layer=9, n_head=16, n_kv_head=4, n_ff=2816,
               contexts=(2048, 8192)),
    BenchModel("large", n_embd=2048, n_layer=6, n_head=16, n_kv_head=4, n_ff=5632,
               contexts=(2048, 4096)),
)  # fmt: skip
PROMPT_SLACK = 8  # tokens left free in the context; the last micro-batch is then 504 tokens


@dataclass(frozen=True)
class Measurement:
    baseline: int
    after_short_chat: int
    after_full_context: int
    fill_seconds: float


def rss(pid: int) -> int:
    return int(psutil.Process(pid).memory_info().rss)


def wait_until_idle(engine: EngineClient) -> None:
    """One round trip: the engine answers only after it has imported llama_cpp."""
    engine.start()
    with contextlib.suppress(EngineError):  # "No model is loaded": the answer we wanted
        engine.count_tokens([ChatMessage("user", "ping")])


def prompt_of(engine: EngineClient, n_tokens: int) -> ChatMessage:
    """A user message of n_tokens - 16 .. n_tokens tokens, chat template included."""
    source = long_text(n_tokens)  # several characters per word: always long enough
    cut = len(source)
    for _ in range(12):
        message = ChatMessage("user", source[:cut])
        count = engine.count_tokens([message])
        if n_tokens - 16 <= count <= n_tokens:
            return message
        cut = min(len(source), int(cut * (n_tokens - 8) / count))
    raise RuntimeError(f"could not size a prompt to {n_tokens} tokens")


def measure(model_path: Path, n_ctx: int, log_file: Path) -> Measurement:
    with EngineClient(log_file) as engine:
        wait_until_idle(engine)
        assert engine.pid is not None
        pid = engine.pid
        baseline = rss(pid)
        engine.load(LoadConfig(model_path, n_ctx=n_ctx, n_threads=2))
        sampling = SamplingParams(max_tokens=8, seed=1)
        list(engine.chat([ChatMessage("user", "Hello! How are you today?")], sampling))
        after_short_chat = rss(pid)
        prompt = prompt_of(engine, n_ctx - PROMPT_SLACK)
        started = time.perf_counter()
        list(engine.chat([prompt], SamplingParams(max_tokens=1, seed=1)))
        fill_seconds = time.perf_counter() - started
        return Measurement(baseline, after_short_chat, rss(pid), fill_seconds)


HEADER = (
    f"{'model':<7} {'file':>6} {'n_ctx':>6} | {'weights':>7} {'KV':>6} {'compute':>7} "
    f"{'overhd':>6} {'ESTIM.':>7} | {'short':>7} {'FULL':>7} | {'error':>6} {'fill':>6}"
)


def main() -> None:
    started = time.perf_counter()
    print("All sizes in MiB. Measured columns: engine RSS growth over the idle engine process.")
    print(HEADER)
    print("-" * len(HEADER))
    baselines: list[int] = []
    with tempfile.TemporaryDirectory(prefix="hearth-bench-fit-") as folder:
        root = Path(folder)
        for spec in MODELS:
            path = write_random_model(
                root / f"{spec.name}.gguf",
                n_embd=spec.n_embd,
                n_layer=spec.n_layer,
                n_head=spec.n_head,
                n_kv_head=spec.n_kv_head,
                n_ff=spec.n_ff,
                context_length=max(spec.contexts),
                name=f"Bench {spec.name}",
            )
            shape = shape_from_gguf(path)
            for n_ctx in spec.contexts:
                m = measure(path, n_ctx, root / "engine.log")
                baselines.append(m.baseline)
                print_row(spec.name, path.stat().st_size, n_ctx, shape, m)
            path.unlink()
    print(
        f"\nIdle engine process: {min(baselines) / MiB:.0f}-{max(baselines) / MiB:.0f} MiB "
        f"(not part of the growth). Total run time {time.perf_counter() - started:.0f} s."
    )


def print_row(name: str, file_size: int, n_ctx: int, shape: ModelShape, m: Measurement) -> None:
    estimate = estimate_memory(shape, n_ctx)
    short = m.after_short_chat - m.baseline
    full = m.after_full_context - m.baseline
    error = (estimate.total_bytes - full) / full * 100
    print(
        f"{name:<7} {file_size / MiB:6.0f} {n_ctx:6d} | {estimate.weights_bytes / MiB:7.1f} "
        f"{estimate.kv_bytes / MiB:6.1f} {estimate.compute_bytes / MiB:7.1f} "
        f"{estimate.overhead_bytes / MiB:6.1f} {estimate.total_bytes / MiB:7.1f} | "
        f"{short / MiB:7.1f} {full / MiB:7.1f} | {error:+5.1f}% {m.fill_seconds:5.1f}s",
        flush=True,
    )


if __name__ == "__main__":
    main()
