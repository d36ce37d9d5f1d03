"""The model manager: the catalog (with will-it-fit and downloads), installed models, Hub search.

Downloads run in child processes (`DownloadProcess`, shown by `DownloadControls`); importing
a file (`GgufImport`, shared with onboarding), searching the Hub and listing a repo's files
run as jobs (`JobRunner`) on the dialog's own thread pool (`run_in_background`). The Hub
search tab is `HubSearchTab`. With offline mode on, nothing here uses the network and the
dialog says why downloads and search are off.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from pathlib import Path

from PySide6.QtCore import QThreadPool, Signal, Slot
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.catalog.catalog import CatalogModel, load_catalog
from app.catalog.fit import (
    FitVerdict,
    estimate_memory,
    gpu_budget_here,
    judge_fit,
    recommend_model,
)
from app.catalog.library import InstalledModel, ModelLibrary
from app.catalog.model_shape import shape_from_catalog
from app.errors import HearthError, message_for_people
from app.settings import Settings
from app.ui.download_controls import OFFLINE_REASON, DownloadControls
from app.ui.hub_search_tab import HubSearchTab
from app.ui.job_runner import run_in_background
from app.ui.model_import import GgufImport
from app.units import human_size


@dataclass(frozen=True)
class CatalogFit:
    """Each catalog model's verdict for this computer now, and the one Hearth recommends."""

    verdicts: dict[str, FitVerdict]
    recommended: CatalogModel

    @classmethod
    def judge(cls, catalog: list[CatalogModel], n_ctx: int) -> CatalogFit:
        import psutil

        memory = psutil.virtual_memory()
        total, available = int(memory.total), int(memory.available)
        gpu = gpu_budget_here(total)
        verdicts = {
            m.id: judge_fit(estimate_memory(shape_from_catalog(m), n_ctx), total, available, gpu)
            for m in catalog
        }
        return cls(verdicts, recommend_model(catalog, total, available, n_ctx))


class ModelManagerDialog(QDialog):
    """Catalog, installed models and Hub search in tabs.

    Signals:
        models_changed(): a model was installed, imported or removed.
    """

    models_changed = Signal()

    def __init__(
        self,
        models_dir: Path,
        settings: Settings,
        parent: QWidget | None = None,
        catalog: list[CatalogModel] | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Models")
        self.library = ModelLibrary(models_dir)
        self.settings = settings
        self.catalog = catalog if catalog is not None else load_catalog()
        self.pool = QThreadPool(self)
        self.downloads: dict[str, DownloadControls] = {}
        self.offline_notice = QLabel(OFFLINE_REASON)
        self.offline_notice.setWordWrap(True)
        self.offline_notice.setVisible(settings.offline)
        self.tabs = QTabWidget()
        self.tabs.addTab(self._catalog_tab(), "Catalog")
        self.tabs.addTab(self._installed_tab(), "Installed")
        self.hub_search = HubSearchTab(
            self.library, settings, partial(run_in_background, self, self.pool)
        )
        self.hub_search.download_finished.connect(self._on_installed)
        self.tabs.addTab(self.hub_search, "Hub search")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.offline_notice)
        layout.addWidget(self.tabs)
        layout.addWidget(buttons)
        self.resize(900, 520)
        self.refresh_installed()

    def shutdown(self) -> None:
        """Pause running downloads (their parts stay for next time) and drain the pool."""
        for controls in self.downloads.values():
            controls.stop_for_exit()
        self.hub_search.shutdown()
        self.pool.waitForDone()

    # The Hub search tab's widgets, under the names the dialog has always had.
    @property
    def search_field(self) -> QLineEdit:
        return self.hub_search.search_field

    @property
    def search_button(self) -> QPushButton:
        return self.hub_search.search_button

    @property
    def search_results(self) -> QListWidget:
        return self.hub_search.search_results

    @property
    def search_status(self) -> QLabel:
        return self.hub_search.search_status

    # --- catalog -------------------------------------------------------------------------

    def _catalog_tab(self) -> QWidget:
        fit = CatalogFit.judge(self.catalog, self.settings.context_length)
        table = QTableWidget(len(self.catalog), 5)
        table.setHorizontalHeaderLabels(["Model", "Size", "License", "Fit", "Download"])
        table.verticalHeader().setVisible(False)
        table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        for row, model in enumerate(self.catalog):
            name = model.name
            if model.id == fit.recommended.id:
                name += " (recommended)"
            verdict = fit.verdicts[model.id]
            fit_item = QTableWidgetItem(verdict.label.value)
            fit_item.setToolTip(verdict.explanation)
            name_item = QTableWidgetItem(name)
            name_item.setToolTip(model.description)
            table.setItem(row, 0, name_item)
            table.setItem(row, 1, QTableWidgetItem(human_size(model.size_bytes)))
            table.setItem(row, 2, QTableWidgetItem(model.license.name))
            table.setItem(row, 3, fit_item)
            controls = DownloadControls.for_catalog(model, self.library)
            controls.set_offline(self.settings.offline)
            controls.download_finished.connect(self._on_installed)
            self.downloads[model.id] = controls
            table.setCellWidget(row, 4, controls)
        table.resizeColumnsToContents()
        self.catalog_table = table
        self.recommended = fit.recommended
        return table

    @Slot(str)
    def _on_installed(self, _model_id: str) -> None:
        self.refresh_installed()
        self.models_changed.emit()

    # --- installed -----------------------------------------------------------------------

    def _installed_tab(self) -> QWidget:
        self.installed_table = QTableWidget(0, 4)
        self.installed_table.setHorizontalHeaderLabels(["Model", "Size", "Quantization", "Path"])
        self.installed_table.verticalHeader().setVisible(False)
        self.installed_table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.installed_table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.installed_table.setSelectionMode(QTableWidget.SelectionMode.SingleSelection)
        self.remove_button = QPushButton("Remove")
        self.import_button = QPushButton("Import .gguf…")
        self.remove_button.setAccessibleName("Remove the selected model")
        self.import_button.setAccessibleName("Import a .gguf file")
        self.installed_status = QLabel()
        self.installed_status.setWordWrap(True)
        self.remove_button.clicked.connect(self.remove_selected)
        self.importer = GgufImport(
            self.library, self.pool, self.import_button, self.installed_status, self
        )
        self.importer.model_imported.connect(self._on_imported)
        row = QHBoxLayout()
        row.addWidget(self.import_button)
        row.addWidget(self.remove_button)
        row.addStretch()
        tab = QWidget()
        layout = QVBoxLayout(tab)
        layout.addWidget(self.installed_table)
        layout.addLayout(row)
        layout.addWidget(self.installed_status)
        return tab

    def refresh_installed(self) -> None:
        self._installed: list[InstalledModel] = self.library.installed()
        table = self.installed_table
        table.setRowCount(len(self._installed))
        for row, model in enumerate(self._installed):
            cells = [model.name, human_size(model.size_bytes), model.quantization or "?"]
            for column, text in enumerate([*cells, str(model.path)]):
                table.setItem(row, column, QTableWidgetItem(text))
        table.resizeColumnsToContents()

    @Slot()
    def remove_selected(self) -> None:
        rows = self.installed_table.selectionModel().selectedRows()
        if not rows:
            self.installed_status.setText("Choose a model to remove first.")
            return
        model = self._installed[rows[0].row()]
        answer = QMessageBox.question(
            self,
            "Remove model?",
            f"Delete {model.name} ({human_size(model.size_bytes)}) from this computer?\n"
            "Conversations that used it keep their text.",
        )
        if answer != QMessageBox.StandardButton.Yes:
            return
        try:
            self.library.remove(model.id)
        except (HearthError, OSError) as exc:
            self.installed_status.setText(message_for_people(exc))
            return
        self.installed_status.setText(f"Removed {model.name}.")
        self._on_installed(model.id)
        if model.id in self.downloads:
            self.downloads[model.id].show_state("idle")
        self.hub_search.show_removed(model.path)

    def import_file(self, path: Path) -> None:
        """Check and bring in `path` in the background; the outcome shows under the table."""
        self.importer.import_file(path)

    def _on_imported(self, model: InstalledModel) -> None:
        self.installed_status.setText(f"Imported {model.name} as {model.id}.")
        self._on_installed(model.id)
