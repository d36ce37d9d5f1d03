"""The model a command runs on: a local one (by id or path) or `NAME@SERVER` on a server
the user added. Every command that takes `--model` opens its engine here, so each accepts
both, and each says where the words go before any is sent."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path

from app.catalog.library import ModelLibrary
from app.catalog.resolve import resolve_model
from app.commands.job_output import run_job
from app.engine.interface import Engine
from app.engine.protocol import LoadConfig, ModelInfo
from app.errors import JobCancelled
from app.remote.choice import remote_choice, where_words_go
from app.remote.remote_engine import RemoteEngine
from app.runtime import Runtime
from app.tasks.load_model import LoadModelJob

MODEL_HELP = "a model id or GGUF file, or NAME@SERVER for a model on a server you added"


@dataclass(frozen=True)
class ChosenModel:
    engine: Engine  # not started yet: the local engine process starts when it loads
    config: LoadConfig
    label: str  # what the conversation records as its model


def choose_model(runtime: Runtime, spec: str | None, n_ctx: int | None = None) -> ChosenModel:
    """The engine and load settings for `spec` (default: the last model used)."""
    remote = remote_choice(runtime.paths, spec, offline=runtime.settings.offline)
    if remote is not None:
        engine = RemoteEngine(*remote)
        print(f"hearth: {where_words_go(engine)}", file=sys.stderr)
        n_ctx = n_ctx or runtime.settings.context_length
        return ChosenModel(engine, LoadConfig(Path(engine.label), n_ctx=n_ctx), engine.label)
    model = resolve_model(spec, ModelLibrary(runtime.models_dir))
    return ChosenModel(runtime.new_engine(), runtime.load_config(model.path, n_ctx), model.label)


@contextmanager
def loaded_model(
    runtime: Runtime, spec: str | None, n_ctx: int | None = None
) -> Iterator[tuple[Engine, str]]:
    """(engine, label) with the chosen model loaded; the engine is closed afterwards."""
    chosen = choose_model(runtime, spec, n_ctx)
    with closing(chosen.engine):
        info = load_model(chosen.engine, chosen.config)
        for warning in info.warnings:
            print(f"hearth: warning: {warning}", file=sys.stderr)
        yield chosen.engine, chosen.label


def load_model(engine: Engine, config: LoadConfig) -> ModelInfo:
    """Load the model a command runs on; Ctrl+C stops it (JobCancelled: exit code 130)."""
    done = run_job(LoadModelJob(engine, config), lambda _event: None)
    if not isinstance(done.result, ModelInfo):
        raise JobCancelled(done.message)
    return done.result
