"""Typed settings, saved as JSON in the config folder.

Loading never fails: a file that is not valid JSON is moved aside (so the user can recover
it) and defaults are used; a single bad value falls back to its default. Both are logged.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import os
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from app.atomic_file import write_atomically

log = logging.getLogger("hearth.settings")


@dataclass
class Sampling:
    """How replies are sampled; also stored per conversation."""

    temperature: float = 0.7
    top_p: float = 0.95
    max_tokens: int = 1024


@dataclass
class Settings:
    """Everything the user can set. Field defaults are the defaults of a fresh install."""

    threads: int = 0  # 0: pick from the number of CPU cores
    context_length: int = 4096
    gpu_layers: int = -1  # all layers on the GPU when there is one; ignored on CPU builds
    kv_cache_type: str = "f16"
    default_system_prompt: str = (
        "You are Hearth, a helpful assistant running privately on this computer."
    )
    sampling: Sampling = field(default_factory=Sampling)
    theme: str = "system"
    models_dir: str = ""  # empty: the data folder's models/
    offline: bool = False  # no network at all: downloads and Hub search are disabled
    hub_token: str = ""  # sent to the model hub only when set (gated models)
    max_document_mb: int = 50  # larger documents are refused before reading
    sign_off_name: str = ""  # how e-mail drafts are signed (remembered from the e-mail panel)
    email_language: str = "English"  # drafts are written in it unless a reply's thread says
    # Conversations' evaluated states kept on disk so they resume without re-reading (0: off)
    state_cache_mb: int = 2048
    # The loaded local model as an OpenAI-compatible API on 127.0.0.1 (opt-in: off by default)
    local_api: bool = False
    local_api_port: int = 8765  # app/serve/local_api.DEFAULT_PORT
    local_api_store: bool = False  # keep the API's conversations in the history

    def effective_threads(self) -> int:
        """The threads llama.cpp computes with: the setting, or one per physical core, which
        is what llama.cpp itself picks (hyper-threads share a core's arithmetic units and
        only add contention; see issue 12)."""
        if self.threads > 0:
            return self.threads
        import psutil  # here: settings load at start-up, and this is asked once per load

        return max(1, psutil.cpu_count(logical=False) or os.cpu_count() or 1)


def _from_dict(cls: type[Any], raw: dict[str, Any]) -> Any:
    """Build a settings dataclass from `raw`, keeping defaults for missing or mistyped values."""
    defaults = cls()
    values: dict[str, Any] = {}
    for f in dataclasses.fields(cls):
        if f.name not in raw:
            continue
        current = getattr(defaults, f.name)
        value = raw[f.name]
        if dataclasses.is_dataclass(current):
            if isinstance(value, dict):
                values[f.name] = _from_dict(type(current), value)
            else:
                log.warning("Setting %r is not an object; using the default.", f.name)
        elif _same_kind(current, value):
            values[f.name] = type(current)(value)
        else:
            log.warning("Setting %r has an unusable value %r; using the default.", f.name, value)
    return dataclasses.replace(defaults, **values)


def _same_kind(default: object, value: object) -> bool:
    if isinstance(default, bool) or isinstance(value, bool):
        return isinstance(default, bool) and isinstance(value, bool)
    if isinstance(default, float):
        return isinstance(value, int | float)
    return isinstance(value, type(default))


def load_settings(path: Path) -> Settings:
    """Read settings from `path`; missing file -> defaults; corrupt file -> backed up, defaults."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return Settings()
    try:
        raw = json.loads(text)
        if not isinstance(raw, dict):
            raise ValueError("the top level is not an object")
    except ValueError as exc:
        backup = path.with_name(f"{path.name}.corrupt-{datetime.now(UTC):%Y%m%dT%H%M%SZ}")
        os.replace(path, backup)
        log.warning(
            "Settings file %s was unreadable (%s); moved it to %s and using defaults.",
            path,
            exc,
            backup,
        )
        return Settings()
    settings: Settings = _from_dict(Settings, raw)
    return settings


def save_settings(settings: Settings, path: Path) -> None:
    """Write atomically, so a crash mid-write never leaves a half file."""
    write_atomically(path, json.dumps(dataclasses.asdict(settings), indent=2) + "\n")
