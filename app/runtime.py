"""What every entry point sets up first: folders, the log file, settings."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from app.engine.client import EngineClient
from app.engine.protocol import LoadConfig, StateCacheConfig
from app.logs import configure_file_logging
from app.paths import Paths, resolve_paths
from app.settings import Settings, load_settings
from app.store import History


@dataclass
class Runtime:
    paths: Paths
    settings: Settings

    @classmethod
    def start(cls) -> Runtime:
        paths = resolve_paths().ensure()
        configure_file_logging(paths.log_file)
        return cls(paths, load_settings(paths.settings_file))

    def open_history(self) -> History:
        """A History for the calling thread (SQLite connections are per thread)."""
        return History.open(self.paths.database)

    def load_config(self, model_path: Path, n_ctx: int | None = None) -> LoadConfig:
        """How to load `model_path` with the user's settings (`n_ctx` overrides theirs)."""
        settings = self.settings
        return LoadConfig(
            model_path=model_path,
            n_ctx=n_ctx or settings.context_length,
            n_threads=settings.effective_threads(),
            n_gpu_layers=settings.gpu_layers,
            kv_cache_type=settings.kv_cache_type,
            state_cache=StateCacheConfig(
                self.paths.states_dir, disk_bytes=max(0, settings.state_cache_mb) * 1024 * 1024
            ),
        )

    def new_engine(self) -> EngineClient:
        return EngineClient(self.paths.log_file)

    @property
    def models_dir(self) -> Path:
        """The models folder: the user's choice, else the data folder's models/."""
        chosen = self.settings.models_dir.strip()
        return Path(chosen).expanduser() if chosen else self.paths.default_models_dir
