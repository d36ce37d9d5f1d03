"""Loading a model as a job: progress in percent, a ModelInfo, or cancelled with nothing loaded."""

from __future__ import annotations

import threading
from pathlib import Path

from app.engine.client import EngineClient
from app.engine.protocol import ModelInfo
from app.errors import ModelFileError
from app.tasks.job import Outcome, Progress
from app.tasks.load_model import LoadModelJob
from tests.conftest import load_config
from tests.support.jobs import run_to_end


def test_a_load_reports_percent_and_returns_the_model(
    engine: EngineClient, scripted_model: Path
) -> None:
    events, done = run_to_end(LoadModelJob(engine, load_config(scripted_model)))
    assert done.outcome is Outcome.COMPLETED
    assert isinstance(done.result, ModelInfo)
    assert engine.model == done.result
    parts = [e.part for e in events if isinstance(e, Progress)]
    assert parts
    assert parts == sorted(parts)
    assert all(1 <= p <= 100 for p in parts)


def test_a_bad_file_fails_with_a_message_naming_it(engine: EngineClient, tmp_path: Path) -> None:
    bad = tmp_path / "not-a-model.gguf"
    bad.write_bytes(b"GGUF" + b"\0" * 64)
    _, done = run_to_end(LoadModelJob(engine, load_config(bad)))
    assert done.outcome is Outcome.FAILED
    assert isinstance(done.error, ModelFileError)
    assert "not-a-model.gguf" in done.message


def test_a_cancel_from_another_thread_before_the_job_runs_is_kept(
    engine: EngineClient, scripted_model: Path
) -> None:
    """The window's Cancel may come while the load still waits behind another job: it sets
    the engine's flag too, which the load then forgets; its own flag still stops it."""
    engine.load(load_config(scripted_model))
    job = LoadModelJob(engine, load_config(scripted_model))
    canceller = threading.Thread(target=job.cancel)
    canceller.start()
    canceller.join()
    _, done = run_to_end(job)
    assert done.outcome is Outcome.CANCELLED
    assert done.error is None  # cancelled, not failed
    # (The mid-load stop itself is the engine's: tests/unit/engine/test_engine_client.py.)
    assert run_to_end(LoadModelJob(engine, load_config(scripted_model)))[1].outcome is (
        Outcome.COMPLETED
    )
