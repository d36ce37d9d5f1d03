"""Where Hearth keeps things.

Data (history, models), config (settings), cache and logs come from platformdirs, so each OS
gets its usual folders. `HEARTH_HOME=DIR` puts all of them under DIR: portable mode, and the
way every test keeps away from the real home folder.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import platformdirs

APP_NAME = "Hearth"
HOME_ENV = "HEARTH_HOME"


@dataclass(frozen=True)
class Paths:
    """The folders Hearth uses; `ensure()` creates them."""

    data_dir: Path
    config_dir: Path
    cache_dir: Path
    log_dir: Path

    @property
    def database(self) -> Path:
        return self.data_dir / "hearth.db"

    @property
    def default_models_dir(self) -> Path:
        return self.data_dir / "models"

    @property
    def settings_file(self) -> Path:
        return self.config_dir / "settings.json"

    @property
    def log_file(self) -> Path:
        return self.log_dir / "hearth.log"

    @property
    def states_dir(self) -> Path:
        """Conversations' saved KV states (app/engine/state_cache.py): a cache, safe to delete."""
        return self.cache_dir / "states"

    def ensure(self) -> Paths:
        for folder in (self.data_dir, self.config_dir, self.cache_dir, self.log_dir):
            folder.mkdir(parents=True, exist_ok=True)
        return self


def resolve_paths(environ: dict[str, str] | None = None) -> Paths:
    """The folders for this run: under `HEARTH_HOME` if set, else the platform's own."""
    env = os.environ if environ is None else environ
    home = env.get(HOME_ENV, "").strip()
    if home:
        root = Path(home).expanduser().resolve()
        return Paths(root / "data", root / "config", root / "cache", root / "logs")
    return Paths(
        data_dir=Path(platformdirs.user_data_dir(APP_NAME, appauthor=False)),
        config_dir=Path(platformdirs.user_config_dir(APP_NAME, appauthor=False)),
        cache_dir=Path(platformdirs.user_cache_dir(APP_NAME, appauthor=False)),
        log_dir=Path(platformdirs.user_log_dir(APP_NAME, appauthor=False)),
    )
