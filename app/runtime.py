"""What every entry point sets up first: folders, the log file, settings."""

from __future__ import annotations

from dataclasses import dataclass

from app.engine.client import EngineClient
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

    def new_engine(self) -> EngineClient:
        return EngineClient(self.paths.log_file)
