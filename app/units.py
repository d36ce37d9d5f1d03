"""Sizes for people, shared by the CLI, the window and error messages."""

from __future__ import annotations


def human_size(n: float) -> str:
    """Bytes for people: 1.3 GB, 350 MB, 12 KB (decimal units, like file managers)."""
    for unit, scale in (("GB", 1e9), ("MB", 1e6), ("KB", 1e3)):
        if n >= scale:
            return f"{n / scale:.1f} {unit}".replace(".0 ", " ")
    return f"{n:.0f} bytes"


def human_duration(seconds: float) -> str:
    """A time left for people: "12 s", "4 min"."""
    return f"{max(1, round(seconds))} s" if seconds < 90 else f"{round(seconds / 60)} min"
