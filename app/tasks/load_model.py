"""Loading a model as a job: progress as it loads, cancel part-way (nothing stays loaded)."""

from __future__ import annotations

from app.engine.interface import Engine
from app.engine.protocol import LoadConfig
from app.tasks.engine_job import EngineJob
from app.tasks.job import JobWork, Progress

PERCENT = 100


class LoadModelJob(EngineJob):
    """Loads `config`'s model; the result is its ModelInfo. Progress counts percent."""

    def __init__(self, engine: Engine, config: LoadConfig) -> None:
        super().__init__(engine)
        self.config = config
        self.title = f"Loading {config.model_path.name}"

    def work(self) -> JobWork:
        self.begin(needs_model=False)
        steps = self.engine.load_steps(self.config)
        while True:
            try:
                fraction = next(steps)
            except StopIteration as done:
                return done.value
            part = min(PERCENT, max(1, round(fraction * PERCENT)))
            yield Progress(part, PERCENT, "loading")
