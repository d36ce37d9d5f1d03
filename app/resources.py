"""Where the files in `resources/` (icons, prompt templates) are found.

The one place that knows the folder sits beside the `app` package in the checkout, so a
packaging step that moves it (a PyInstaller bundle, a wheel) changes this function only.
Qt-free: the core reads its prompt files through it too.
"""

from __future__ import annotations

from pathlib import Path

RESOURCES_DIR = Path(__file__).parent.parent / "resources"


def resource_path(*parts: str) -> Path:
    """The path of `resources/<parts...>` (whether or not it exists)."""
    return RESOURCES_DIR.joinpath(*parts)
