"""What the window remembers between runs: its geometry and the last conversation."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path

from app.atomic_file import write_atomically


@dataclass
class WindowState:
    geometry: str = ""  # QMainWindow.saveGeometry(), base64
    last_conversation: int | None = None


def load_window_state(path: Path) -> WindowState:
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        geometry = raw.get("geometry", "")
        last = raw.get("last_conversation")
        return WindowState(
            geometry if isinstance(geometry, str) else "", last if isinstance(last, int) else None
        )
    except (OSError, ValueError, AttributeError):
        return WindowState()


def save_window_state(state: WindowState, path: Path) -> None:
    write_atomically(path, json.dumps(asdict(state)))
