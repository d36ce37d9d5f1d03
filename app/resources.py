"""Where Hearth's own files are found: `resources/` (icons, prompt templates) and `models.json`.

The one place that knows where they sit: beside the `app` package in a checkout, and at the
bundle's root (`sys._MEIPASS`) in an installed app built by PyInstaller
(packaging/pyinstaller/hearth.spec puts them there). Qt-free: the core reads its prompt files
and catalog through it too.
"""

from __future__ import annotations

import sys
from pathlib import Path


def install_root() -> Path:
    """The folder holding `resources/` and `models.json`: the bundle's, or the checkout's."""
    bundle = getattr(sys, "_MEIPASS", None)
    return Path(bundle) if bundle else Path(__file__).resolve().parent.parent


INSTALL_ROOT = install_root()
RESOURCES_DIR = INSTALL_ROOT / "resources"
CATALOG_FILE = INSTALL_ROOT / "models.json"


def resource_path(*parts: str) -> Path:
    """The path of `resources/<parts...>` (whether or not it exists)."""
    return RESOURCES_DIR.joinpath(*parts)
