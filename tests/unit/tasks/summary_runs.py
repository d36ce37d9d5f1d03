"""Running summary jobs in tests and checking the calls the engine received."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from app.engine.client import EngineClient
from app.engine.protocol import SamplingParams
from app.store import History
from app.tasks.job import Done, JobEvent, Outcome
from app.tasks.summarize import SummaryJob, SummaryReady
from app.tasks.summary_prompts import SummaryStyle
from tests.support.jobs import run_to_end
from tests.support.recording_engine import Call

Summarized = JobEvent | SummaryReady
"""A job's events, then its result in place of its Done (see `summarize`)."""

SAMPLING = SamplingParams(temperature=0.0, max_tokens=32, seed=1)
# A fresh seed per call: every note differs, and some hold words the model writes as one
# token that its tokenizer spells in several (the tiny vocabulary's " world").
VARIED = SamplingParams(temperature=1.0, max_tokens=32)


def summarize(
    history: History,
    engine: EngineClient,
    path: Path,
    style: SummaryStyle | None = None,
    sampling: SamplingParams = SAMPLING,
) -> list[Summarized]:
    """The events of a summary that completes, then its SummaryReady; a failure raises."""
    events, done = run_to_end(SummaryJob(history, engine, path, style or SummaryStyle(), sampling))
    if done.error is not None:
        raise done.error
    assert done.outcome is Outcome.COMPLETED
    assert isinstance(done.result, SummaryReady)
    return [*events, done.result]


def summarize_until_stopped(
    history: History, engine: EngineClient, path: Path
) -> tuple[list[JobEvent], Done]:
    """The events of a summary that the engine stops (see RecordingEngine.stop_at)."""
    events, done = run_to_end(SummaryJob(history, engine, path, SummaryStyle(), SAMPLING))
    assert done.outcome is Outcome.CANCELLED, done
    return events, done


def containing(calls: Sequence[Call], text: str) -> list[int]:
    """Indexes of the calls whose prompt holds `text`."""
    return [i for i, call in enumerate(calls) if any(text in m.content for m in call.messages)]


def calls_over(calls: Sequence[Call], n_ctx: int) -> list[int]:
    """The 1-based numbers of the calls whose prompt and longest reply overflow `n_ctx`."""
    return [i + 1 for i, call in enumerate(calls) if call.prompt_tokens + call.max_tokens > n_ctx]
