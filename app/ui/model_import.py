"""The one "choose a .gguf file and import it" flow, used by onboarding and the model manager.

Importing checks the file and copies or links it into the models folder, which can take a
while for a file of several GB, so it runs in the background (`run_in_background`) while
the button waits and a label says what is happening.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, QThreadPool, Signal
from PySide6.QtWidgets import QFileDialog, QLabel, QPushButton, QWidget

from app.catalog.library import InstalledModel, ModelLibrary
from app.ui.job_runner import run_in_background

GGUF_FILTER = "GGUF models (*.gguf)"


def choose_gguf_file(parent: QWidget) -> Path | None:
    """Ask for a .gguf file; None when the user cancels."""
    path, _ = QFileDialog.getOpenFileName(parent, "Import a model", "", GGUF_FILTER)
    return Path(path) if path else None


class GgufImport(QObject):
    """Makes `button` import a .gguf file the user chooses into `library`, on `pool`;
    `status` reports progress and refusals (success is the owner's to announce).

    Signals:
        model_imported(object): the file is installed (the `InstalledModel`).
    """

    model_imported = Signal(object)

    def __init__(
        self,
        library: ModelLibrary,
        pool: QThreadPool,
        button: QPushButton,
        status: QLabel,
        parent: QWidget,
    ) -> None:
        super().__init__(parent)
        self._window = parent  # where the file dialog opens
        self._library = library
        self._pool = pool
        self._button = button
        self._status = status
        button.clicked.connect(self.choose_and_import)

    def choose_and_import(self) -> None:
        if path := choose_gguf_file(self._window):
            self.import_file(path)

    def import_file(self, path: Path) -> None:
        """Validate and bring in `path` off the UI thread; the button waits meanwhile."""
        self._button.setEnabled(False)
        self._status.setText(f"Importing {path.name}…")
        run_in_background(
            self,
            self._pool,
            lambda _token: self._library.import_file(path),
            self._on_imported,
            self._on_failed,
        )

    def _on_imported(self, model: InstalledModel) -> None:
        self._button.setEnabled(True)
        self.model_imported.emit(model)

    def _on_failed(self, message: str) -> None:
        self._button.setEnabled(True)
        self._status.setText(message)
