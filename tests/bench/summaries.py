"""Suite `summaries`: a 100-page PDF through `SummaryJob`, against raw llama-cpp-python doing
the same model work, and how much of each map call's prompt the engine takes from its cache.

The job runs as the window runs it (extraction, chunking, token counts, the engine process,
SQLite). Right after each of its calls, the raw side replays it in this process: the same
prompt tokens (with the same automatic reuse of the prefix shared with the previous call that
llama-cpp-python's `generate` does) and as many generated tokens as the job's call produced
(see PairedEngine). job time / raw time at most 1.3: the job's own work costs under 30 %.

Map calls (one per chunk) run one after the other, so each can reuse the prompt tokens it
shares with the one before: the system prompt and "This is part " (summary.map.toml puts
the part's text after them; the instruction comes after the text, where small models heed it
best). Figures: every map call after the first reuses a cached prefix, and the tokens reused
are all the tokens shared with the previous map prompt (100 %); the share of all map-prompt
tokens that this saves is reported.

The model is the tiny random one of the tests (write_random_model): speed does not depend on
the text, and a small model makes Hearth's own overhead show. --quick runs a 40-page PDF at
context 4096 only; the full suite runs 100 pages at 2048 and 4096.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from app.engine.client import EngineClient
from app.engine.protocol import ChatEvent, ChatMessage, ChatStats, LoadConfig, SamplingParams
from app.engine.state_key import shared_prefix_length
from app.settings import Settings
from app.store import History
from app.tasks.job import Done
from app.tasks.summarize import SummaryJob, SummaryReady
from app.tasks.summary_prompts import SummaryStyle
from tests.bench.figures import Figure, at_least, at_most, reported
from tests.bench.raw_llama import RawLlama
from tests.support.documents import write_pdf
from tests.support.tiny_gguf import long_text, write_random_model

PARAGRAPHS = 4  # per page, of WORDS words each
WORDS = 50
SAMPLING = SamplingParams(max_tokens=64, seed=1)  # notes get their floor of 96 tokens
TARGET_RATIO = 1.3
MAP_PREFIX = "This is part "


class PairedEngine(EngineClient):
    """The real engine client that, after each chat call, replays it in raw llama-cpp-python
    (the same prompt tokens, as many generated tokens) and keeps both calls' figures.

    Replaying call by call keeps the two sides seconds apart, so a machine that gets busier
    during the run slows both alike; the replays' time is left out of the job's."""

    def __init__(self, log_file: Path, raw: RawLlama) -> None:
        super().__init__(log_file)
        self.raw = raw
        self.calls: list[tuple[tuple[ChatMessage, ...], ChatStats]] = []
        self.prompts: list[list[int]] = []  # every call's prompt tokens, in order
        self.raw_seconds = 0.0  # the raw calls themselves
        self.replay_seconds = 0.0  # everything the replays took, bookkeeping included

    def chat(
        self,
        messages: Sequence[ChatMessage],
        sampling: SamplingParams | None = None,
        reply_prefix: str = "",
    ) -> Iterator[ChatEvent]:
        for event in super().chat(messages, sampling, reply_prefix):
            if isinstance(event, ChatStats):
                self._replay(tuple(messages), sampling or SamplingParams(), event)
            yield event

    def _replay(
        self, messages: tuple[ChatMessage, ...], sampling: SamplingParams, stats: ChatStats
    ) -> None:
        started = time.perf_counter()
        prompt = self.raw.prompt_tokens(messages)
        assert len(prompt) == stats.prompt_tokens, (len(prompt), stats.prompt_tokens)
        timed = self.raw.generate(prompt, sampling, stats.completion_tokens)
        self.raw_seconds += timed.token_times[-1] - timed.started
        self.calls.append((messages, stats))
        self.prompts.append(prompt)
        self.replay_seconds += time.perf_counter() - started


@dataclass(frozen=True)
class JobRun:
    seconds: float  # the job's own time, replays left out
    raw_seconds: float
    calls: list[tuple[tuple[ChatMessage, ...], ChatStats]]
    prompts: list[list[int]]


def run_job(folder: Path, config: LoadConfig, pdf: Path) -> JobRun:
    raw = RawLlama(config)
    engine = PairedEngine(folder / "engine.log", raw)
    try:
        with History.open(folder / f"history-{config.n_ctx}.db") as history, engine:
            engine.load(config)
            started = time.perf_counter()
            events = list(SummaryJob(history, engine, pdf, SummaryStyle(), SAMPLING).run())
            seconds = time.perf_counter() - started - engine.replay_seconds
    finally:
        raw.close()
    done = events[-1]
    assert isinstance(done, Done)
    assert isinstance(done.result, SummaryReady), done
    return JobRun(seconds, engine.raw_seconds, engine.calls, engine.prompts)


def reuse_figures(job: JobRun, label: str) -> Iterator[Figure]:
    """How the map calls after the first reuse what the call before left in the cache."""
    maps = [
        (stats, job.prompts[i], job.prompts[i - 1])
        for i, (messages, stats) in enumerate(job.calls)
        if i > 0 and messages[-1].content.startswith(MAP_PREFIX)
    ]
    if not maps:
        raise AssertionError("the document was summarized in one call: no map calls to measure")
    reusing = sum(stats.cached_tokens > 0 for stats, _, _ in maps)
    cached = sum(stats.cached_tokens for stats, _, _ in maps)
    shared = sum(shared_prefix_length(before, prompt) for _, prompt, before in maps)
    prompt_tokens = sum(stats.prompt_tokens for stats, _, _ in maps)
    yield at_least(f"map calls reusing the cache, {label}", 100 * reusing / len(maps), 100, "%")
    yield at_least(
        f"map prompt tokens shared with the call before that are reused, {label}",
        100 * cached / shared,
        100,
        "%",
    )
    yield reported(
        f"map prompt tokens reused from the cache, {label}",
        100 * cached / prompt_tokens,
        "%",
        note=f"{cached / len(maps):.0f} of {prompt_tokens / len(maps):.0f} a call",
    )


def figures(quick: bool) -> Iterator[Figure]:
    pages = 40 if quick else 100
    contexts = (4096,) if quick else (2048, 4096)
    with tempfile.TemporaryDirectory(prefix="hearth-bench-summaries-") as name:
        folder = Path(name)
        model = write_random_model(folder / "random.gguf")
        pdf = write_pdf(
            folder / "report.pdf",
            [
                [long_text(WORDS, seed=page * PARAGRAPHS + k) for k in range(PARAGRAPHS)]
                for page in range(pages)
            ],
        )
        for n_ctx in contexts:
            config = LoadConfig(model, n_ctx=n_ctx, n_threads=Settings().effective_threads())
            job = run_job(folder, config, pdf)
            label = f"{pages} pages, ctx {n_ctx}"
            yield at_most(
                f"summary time, job/raw, {label}",
                job.seconds / job.raw_seconds,
                TARGET_RATIO,
                "x",
                note=f"{len(job.calls)} calls, job {job.seconds:.0f} s",
            )
            yield from reuse_figures(job, label)
