"""Summary figures: a 100-page PDF through `SummaryJob`, against raw llama-cpp-python doing
the same model work (the same prompt tokens evaluated, the same number of tokens generated).

Run: .venv/bin/python -m tests.bench.bench_summarize   (prints a table; asserts nothing)
The model (random weights, so speed does not depend on the text) and the PDF are generated
into a temporary folder. The ratio is job time / raw time; the goal is at most 1.3: the job's
own work (extraction, chunking, counting, the engine process, SQLite) costs under 30 %.
The raw side evaluates every prompt from an empty cache; the job's engine may reuse a shared
prefix (the system prompt) from the previous call, which the "cached" figure shows.
"""

from __future__ import annotations

import ctypes
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.documents.extract import extract_document
from app.engine.client import EngineClient
from app.engine.protocol import ChatEvent, ChatMessage, ChatStats, LoadConfig, SamplingParams
from app.store import History
from app.tasks.job import Done, Progress
from app.tasks.summarize import SummaryJob, SummaryReady
from app.tasks.summary_prompts import SummaryStyle
from tests.support.documents import write_pdf
from tests.support.tiny_gguf import long_text, write_random_model

PAGES = 100
PARAGRAPHS = 4  # per page, of WORDS words each
WORDS = 50
CONTEXTS = (2048, 4096)
SAMPLING = SamplingParams(max_tokens=64, seed=1)  # notes get their floor of 96 tokens
THREADS = 2


class TimedEngine(EngineClient):
    """Keeps every chat call's messages, its stats and the wall time the client waited."""

    def __init__(self, log_file: Path) -> None:
        super().__init__(log_file)
        self.calls: list[tuple[tuple[ChatMessage, ...], ChatStats]] = []
        self.waited = 0.0

    def chat(
        self,
        messages: Sequence[ChatMessage],
        sampling: SamplingParams | None = None,
        reply_prefix: str = "",
    ) -> Iterator[ChatEvent]:
        started = time.perf_counter()
        for event in super().chat(messages, sampling, reply_prefix):
            if isinstance(event, ChatStats):
                self.calls.append((tuple(messages), event))
            yield event
        self.waited += time.perf_counter() - started


@dataclass(frozen=True)
class JobFigures:
    extract_s: float
    chunks: int
    calls: int
    planned_calls: int  # chunks + merges + the final call, from the plan
    job_s: float
    waited_s: float  # the job's time inside chat calls (engine process included)
    calls_made: list[tuple[tuple[ChatMessage, ...], ChatStats]]


def run_job(folder: Path, model: Path, pdf: Path, n_ctx: int) -> JobFigures:
    started = time.perf_counter()
    extract_document(pdf)
    extract_s = time.perf_counter() - started
    with (
        History.open(folder / f"history-{n_ctx}.db") as history,
        TimedEngine(folder / "engine.log") as engine,
    ):
        engine.load(LoadConfig(model, n_ctx=n_ctx, n_threads=THREADS))
        started = time.perf_counter()
        planned, ready = 0, None
        for event in SummaryJob(history, engine, pdf, SummaryStyle(), SAMPLING).run():
            if isinstance(event, Progress):
                planned = event.total
            elif isinstance(event, Done) and isinstance(event.result, SummaryReady):
                ready = event.result
        job_s = time.perf_counter() - started
    assert ready is not None
    return JobFigures(
        extract_s, ready.chunks, ready.calls, planned, job_s, engine.waited, engine.calls
    )


def _quiet_native_logs() -> Any:
    """llama.cpp logs through a callback that drops everything (keep the reference)."""
    import llama_cpp

    def drop(_level: int, _text: bytes, _data: ctypes.c_void_p) -> None:
        return None

    callback = llama_cpp.llama_log_callback(drop)
    llama_cpp.llama_log_set(callback, ctypes.c_void_p(0))
    return callback


def raw_seconds(
    model: Path, n_ctx: int, calls: list[tuple[tuple[ChatMessage, ...], ChatStats]]
) -> float:
    """Raw llama-cpp-python: per call, evaluate the same prompt tokens from an empty cache and
    generate as many tokens as the job's call did."""
    import llama_cpp
    from llama_cpp.llama_chat_format import Jinja2ChatFormatter

    keep = _quiet_native_logs()
    llm = llama_cpp.Llama(
        str(model), n_ctx=n_ctx, n_threads=THREADS, n_threads_batch=THREADS, verbose=False
    )
    template = Jinja2ChatFormatter(llm.metadata["tokenizer.chat_template"], "", "")
    total = 0.0
    for messages, stats in calls:
        rendered = template(messages=[{"role": m.role, "content": m.content} for m in messages])
        prompt = llm.tokenize(rendered.prompt.encode(), add_bos=False, special=True)
        assert len(prompt) == stats.prompt_tokens, (len(prompt), stats.prompt_tokens)
        started = time.perf_counter()
        llm.reset()
        tokens = llm.generate(
            prompt,
            top_k=SAMPLING.top_k,
            top_p=SAMPLING.top_p,
            min_p=SAMPLING.min_p,
            temp=SAMPLING.temperature,
            repeat_penalty=SAMPLING.repeat_penalty,
        )
        for generated, _token in enumerate(tokens, start=1):
            if generated >= stats.completion_tokens:
                break
        tokens.close()
        total += time.perf_counter() - started
    llm.close()
    del keep
    return total


def main() -> None:
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        model = write_random_model(folder / "random.gguf")
        pages = [
            [long_text(WORDS, seed=page * PARAGRAPHS + k) for k in range(PARAGRAPHS)]
            for page in range(PAGES)
        ]
        pdf = write_pdf(folder / "report.pdf", pages)
        header = "ctx | pages | extract s | chunks | calls | min calls | job s | raw eval s | ratio"
        rows, notes = [header], []
        for n_ctx in CONTEXTS:
            job = run_job(folder, model, pdf, n_ctx)
            raw = raw_seconds(model, n_ctx, job.calls_made)
            stats = [s for _, s in job.calls_made]
            rows.append(
                f"{n_ctx} | {PAGES} | {job.extract_s:.2f} | {job.chunks} | {job.calls} | "
                f"{job.planned_calls} | {job.job_s:.1f} | {raw:.1f} | {job.job_s / raw:.2f}"
            )
            notes.append(
                f"ctx {n_ctx}: {job.waited_s:.1f} s inside chat calls, "
                f"{job.job_s - job.waited_s:.1f} s outside them (extract, chunk, count, SQLite); "
                f"prompt tokens {sum(s.prompt_tokens for s in stats)} "
                f"(cached {sum(s.cached_tokens for s in stats)}), "
                f"generated {sum(s.completion_tokens for s in stats)}; "
                f"replies cut short by the end of the context: "
                f"{sum(s.finish_reason == 'context' for s in stats)}"
            )
        print("\n".join([*rows, "", *notes]))


if __name__ == "__main__":
    main()
