"""The window's icons, from resources/icons/*.svg.

SVG so Qt draws each icon at the screen's own pixel density: sharp on high-DPI screens,
with no 1x/2x bitmap pairs to keep in step. A missing file is a packaging bug: it is
logged and the control keeps its text label, which every control has anyway.
"""

from __future__ import annotations

import functools
import logging

from PySide6.QtGui import QIcon

from app.resources import resource_path

log = logging.getLogger("hearth.ui")

ICONS_DIR = resource_path("icons")
ICON_NAMES = (
    "attach",
    "cancel",
    "chat",
    "copy",
    "document",
    "done",
    "edit",
    "email",
    "failed",
    "hearth",
    "latest",
    "models",
    "new",
    "next",
    "previous",
    "regenerate",
    "send",
    "stop",
    "trash",
    "waiting",
)


@functools.cache
def icon(name: str) -> QIcon:
    """The icon `name` (one of ICON_NAMES); an empty icon if its file is missing."""
    path = ICONS_DIR / f"{name}.svg"
    if not path.is_file():
        log.warning("icon %s is missing (%s)", name, path)
        return QIcon()
    return QIcon(str(path))
