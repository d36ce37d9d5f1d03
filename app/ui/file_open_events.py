"""Files the operating system hands to a running Hearth.

On macOS, "Open With → Hearth" and a document dropped on the Dock icon do not arrive as
command-line arguments but as `QFileOpenEvent`s sent to the application object. This filter
turns each into `MainWindow.open_files`, the same path a drop or `hearth --open` takes.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QEvent, QObject
from PySide6.QtGui import QFileOpenEvent


class FileOpenEvents(QObject):
    """Installed on the QApplication: forwards opened files to `open_files`."""

    def __init__(self, open_files: Callable[[list[Path]], None], parent: QObject) -> None:
        super().__init__(parent)
        self._open_files = open_files

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        if isinstance(event, QFileOpenEvent) and event.file():
            self._open_files([Path(event.file())])
            return True
        return super().eventFilter(watched, event)
