"""`hearth` with no subcommand: the window (Qt is imported only from here on)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path


def open_window(conversation_id: int | None, files: Sequence[Path] = ()) -> int:
    from app.ui.application import run_application

    return run_application(conversation_id, files)
