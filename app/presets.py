"""Named presets: a system prompt plus sampling, applied to a conversation in one step.

Built-in presets ship with Hearth; the user's own live in a JSON file in the config folder.
Reading never fails: a file that is not valid JSON is logged and only the built-ins are
offered; a single bad entry is skipped. Before the next write replaces a corrupt file, it
is moved aside so the user can recover it. Writes are atomic.
"""

from __future__ import annotations

import json
import logging
import math
import os
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from app.atomic_file import write_atomically
from app.errors import InvalidInputError
from app.paths import Paths
from app.settings import Sampling

log = logging.getLogger("hearth.presets")

PRESETS_FILE_NAME = "presets.json"
FILE_VERSION = 1

TEMPERATURE_RANGE = (0.0, 2.0)
TOP_P_RANGE = (0.0, 1.0)
MAX_TOKENS_RANGE = (1, 32768)
NAME_MAX_LENGTH = 60

GENERAL_PROMPT = "You are Hearth, a helpful assistant running privately on this computer."
PRECISE_PROMPT = (
    "You are Hearth, a careful assistant. Answer accurately and concisely. "
    "If you are not sure, say so instead of guessing."
)
CREATIVE_PROMPT = (
    "You are Hearth, an imaginative writing partner. Offer fresh ideas, vivid language "
    "and several alternatives when it helps."
)
EMAIL_PROMPT = (
    "You help the user draft e-mails. Write polite, concise, clear messages with a "
    "subject line, a short greeting, the point in the first sentences, and a friendly "
    "closing. Keep the user's facts; do not invent names, dates or promises."
)


@dataclass(frozen=True)
class Preset:
    """A named system prompt and sampling. `builtin` presets cannot be changed or deleted."""

    name: str
    system_prompt: str
    sampling: Sampling = field(default_factory=Sampling)
    builtin: bool = False


BUILTIN_PRESETS: tuple[Preset, ...] = (
    Preset("Balanced", GENERAL_PROMPT, Sampling(0.7, 0.95, 1024), builtin=True),
    Preset("Precise", PRECISE_PROMPT, Sampling(0.2, 0.9, 1024), builtin=True),
    Preset("Creative", CREATIVE_PROMPT, Sampling(1.0, 0.98, 2048), builtin=True),
    Preset("Email drafting", EMAIL_PROMPT, Sampling(0.5, 0.9, 768), builtin=True),
)


def presets_file(paths: Paths) -> Path:
    """Where the user's presets are kept: next to the settings file."""
    return paths.config_dir / PRESETS_FILE_NAME


def sampling_problems(sampling: Sampling) -> list[str]:
    """What is wrong with these sampling values, as sentences for people; empty if fine."""
    problems = []
    low, high = TEMPERATURE_RANGE
    if not (math.isfinite(sampling.temperature) and low <= sampling.temperature <= high):
        problems.append(f"Temperature must be between {low:g} and {high:g}.")
    low, high = TOP_P_RANGE
    if not (math.isfinite(sampling.top_p) and low < sampling.top_p <= high):
        problems.append(f"Top-p must be more than {low:g} and at most {high:g}.")
    low_tokens, high_tokens = MAX_TOKENS_RANGE
    if not low_tokens <= sampling.max_tokens <= high_tokens:
        problems.append(f"Max tokens must be between {low_tokens} and {high_tokens}.")
    return problems


def name_problem(name: str) -> str | None:
    """Why `name` cannot name a user preset, or None when it can."""
    cleaned = name.strip()
    if not cleaned:
        return "A preset needs a name."
    if len(cleaned) > NAME_MAX_LENGTH:
        return f"A preset name can have at most {NAME_MAX_LENGTH} characters."
    if any(p.name.casefold() == cleaned.casefold() for p in BUILTIN_PRESETS):
        return f"“{cleaned}” is a built-in preset; choose another name."
    return None


def load_presets(path: Path) -> list[Preset]:
    """The built-in presets, then the user's (sorted by name)."""
    user = sorted(_read_user_presets(path), key=lambda p: p.name.casefold())
    return [*BUILTIN_PRESETS, *user]


def find_preset(presets: list[Preset], name: str) -> Preset | None:
    return next((p for p in presets if p.name == name), None)


def save_user_preset(path: Path, preset: Preset) -> Preset:
    """Add `preset` to the user's presets, replacing one with the same name; returns it."""
    problem = name_problem(preset.name)
    problems = [problem] if problem else []
    problems += sampling_problems(preset.sampling)
    if problems:
        raise InvalidInputError(" ".join(problems))
    saved = Preset(preset.name.strip(), preset.system_prompt, preset.sampling)
    keep = [p for p in _read_user_presets(path, move_corrupt=True) if p.name != saved.name]
    _write_user_presets(path, [*keep, saved])
    return saved


def delete_user_preset(path: Path, name: str) -> bool:
    """Remove the user's preset `name`; False if there was none. Built-ins are refused."""
    if any(p.name == name for p in BUILTIN_PRESETS):
        raise InvalidInputError(f"“{name}” is a built-in preset and cannot be deleted.")
    current = _read_user_presets(path, move_corrupt=True)
    keep = [p for p in current if p.name != name]
    if len(keep) == len(current):
        return False
    _write_user_presets(path, keep)
    return True


def _read_user_presets(path: Path, *, move_corrupt: bool = False) -> list[Preset]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return []
    try:
        raw = json.loads(text)
        entries = raw.get("presets") if isinstance(raw, dict) else None
        if not isinstance(entries, list):
            raise ValueError("there is no list of presets")
    except ValueError as exc:
        log.warning("Presets file %s is unreadable (%s); using built-in presets only.", path, exc)
        if move_corrupt:
            _move_aside(path)
        return []
    presets = [p for p in (_preset_from(entry) for entry in entries) if p is not None]
    return presets


def _preset_from(entry: Any) -> Preset | None:
    try:
        name, prompt, sampling = entry["name"], entry["system_prompt"], entry["sampling"]
        if not isinstance(name, str) or not isinstance(prompt, str):
            raise TypeError("name and system prompt must be text")
        values = Sampling(
            temperature=float(sampling["temperature"]),
            top_p=float(sampling["top_p"]),
            max_tokens=int(sampling["max_tokens"]),
        )
    except (KeyError, TypeError, ValueError) as exc:
        log.warning("Skipping an unusable preset %r (%s).", entry, exc)
        return None
    if name_problem(name) or sampling_problems(values):
        log.warning("Skipping preset %r: its name or values are out of range.", name)
        return None
    return Preset(name.strip(), prompt, values)


def _move_aside(path: Path) -> None:
    backup = path.with_name(f"{path.name}.corrupt-{datetime.now(UTC):%Y%m%dT%H%M%SZ}")
    os.replace(path, backup)
    log.warning("Moved the unreadable presets file to %s.", backup)


def _write_user_presets(path: Path, presets: list[Preset]) -> None:
    entries = [
        {"name": p.name, "system_prompt": p.system_prompt, "sampling": asdict(p.sampling)}
        for p in presets
    ]
    text = json.dumps({"version": FILE_VERSION, "presets": entries}, indent=2) + "\n"
    write_atomically(path, text)
