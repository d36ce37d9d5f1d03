"""`hearth` with no subcommand: the window (Qt is imported only from here on)."""

from __future__ import annotations


def open_window(conversation_id: int | None) -> int:
    from app.ui.application import run_application

    return run_application(conversation_id)
