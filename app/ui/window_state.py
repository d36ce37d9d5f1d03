"""What the window remembers between runs: its geometry and the last conversation."""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path


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
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(json.dumps(asdict(state)), encoding="utf-8")
    os.replace(temporary, path)
