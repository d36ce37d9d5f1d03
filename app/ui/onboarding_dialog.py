"""First run: no model is installed yet, so help the user get one (download or import)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QThreadPool, Signal, Slot
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.catalog.catalog import CatalogModel, license_notice, load_catalog
from app.catalog.library import InstalledModel, ModelLibrary
from app.settings import Settings
from app.ui.download_controls import OFFLINE_REASON, DownloadControls
from app.ui.model_import import GgufImport
from app.ui.model_manager_dialog import CatalogFit
from app.units import human_size

INTRODUCTION = (
    "Hearth runs its language model on this computer, so your words never leave it. "
    "It needs one model, downloaded once. That download is the only time Hearth uses "
    "the network."
)
OFFLINE_HINT = (
    "No internet on this computer? Copy a .gguf model file here (from a USB stick, for "
    "example) and choose Import."
)


class OnboardingDialog(QDialog):
    """Explains what Hearth needs and gets the first model.

    Signals:
        model_ready(str): a model is installed (its id); the dialog then closes.
    """

    model_ready = Signal(str)

    def __init__(
        self,
        models_dir: Path,
        settings: Settings,
        parent: QWidget | None = None,
        catalog: list[CatalogModel] | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Welcome to Hearth")
        self.library = ModelLibrary(models_dir)
        self.pool = QThreadPool(self)
        catalog = catalog if catalog is not None else load_catalog()
        fit = CatalogFit.judge(catalog, settings.context_length)
        self.recommended = fit.recommended
        verdict = fit.verdicts[self.recommended.id]
        self.model_label = QLabel(
            f"Recommended for this computer: {self.recommended.name} "
            f"({human_size(self.recommended.size_bytes)}). "
            f"{verdict.label.value}: {verdict.explanation}"
        )
        self.license_label = QLabel(license_notice(self.recommended))
        self.download = DownloadControls.for_catalog(self.recommended, self.library)
        self.download.set_offline(settings.offline)
        self.download.download_finished.connect(self._finish)
        self.import_button = QPushButton("I already have a .gguf file…")
        self.status = QLabel(OFFLINE_REASON if settings.offline else "")
        self.importer = GgufImport(self.library, self.pool, self.import_button, self.status, self)
        self.importer.model_imported.connect(self._on_imported)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("Later")
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        for text in (INTRODUCTION,):
            layout.addWidget(QLabel(text))
        for widget in (self.model_label, self.license_label, self.download):
            layout.addWidget(widget)
        layout.addWidget(self.import_button)
        layout.addWidget(QLabel(OFFLINE_HINT))
        layout.addWidget(self.status)
        layout.addWidget(buttons)
        for label in self.findChildren(QLabel):
            label.setWordWrap(True)
        self.resize(560, 360)

    def shutdown(self) -> None:
        """Pause a running download (its part stays for next time) and drain the pool."""
        self.download.stop_for_exit()
        self.pool.waitForDone()

    def import_file(self, path: Path) -> None:
        """Import `path` as the first model (the dialog closes once it is installed)."""
        self.importer.import_file(path)

    def _on_imported(self, model: InstalledModel) -> None:
        self.status.setText(f"Imported {model.name}.")
        self._finish(model.id)

    @Slot(str)
    def _finish(self, model_id: str) -> None:
        self.model_ready.emit(model_id)
        self.accept()
