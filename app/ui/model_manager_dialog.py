"""The model manager: the catalog as a guide to choosing (`CatalogTab`), installed models
(with their disk use and the conversations that use them), Hub search.

Downloads run in child processes (`DownloadProcess`, shown by `DownloadControls`); importing
a file (`GgufImport`, shared with onboarding), searching the Hub and listing a repo's files
run as jobs (`JobRunner`) on the dialog's own thread pool (`run_in_background`). The Hub
search tab is `HubSearchTab`. With offline mode on, nothing here uses the network and the
dialog says why downloads and search are off. Which conversations use each installed model
is read from the history on the pool too (it grows with use), from the database path the
window passes in; without one the column stays empty.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import Any

from PySide6.QtCore import QSize, QThreadPool, Signal, Slot
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
from app.catalog.guide import CatalogFit, MemoryFigures, disk_use_text
from app.catalog.library import InstalledModel, ModelLibrary
from app.errors import HearthError, message_for_people
from app.settings import Settings
from app.store.model_usage import ModelUsage, read_model_usage, usage_for_labels
from app.ui.catalog_tab import CatalogTab
from app.ui.dialog_sizes import set_dialog_sizes
from app.ui.download_controls import OFFLINE_REASON, DownloadControls
from app.ui.hub_search_tab import HubSearchTab
from app.ui.job_runner import run_in_background
from app.ui.model_import import GgufImport
from app.units import human_size

INSTALLED_COLUMNS = ["Model", "Size on disk", "Quantization", "Conversations", "Path"]
USAGE_COLUMN = 3
MINIMUM_SIZE = QSize(640, 480)
DEFAULT_SIZE = QSize(960, 720)  # two catalog cards side by side need the width


class ModelManagerDialog(QDialog):
    """Catalog, installed models and Hub search in tabs.

    Signals:
        models_changed(): a model was installed, imported or removed.
        usage_shown(): the Installed tab shows which conversations use each model.
    """

    models_changed = Signal()
    usage_shown = Signal()

    def __init__(
        self,
        models_dir: Path,
        settings: Settings,
        parent: QWidget | None = None,
        catalog: list[CatalogModel] | None = None,
        *,
        database: Path | None = None,
        memory: MemoryFigures | None = None,
    ) -> None:
        """`database`: the history, to show which conversations use each installed model;
        `memory`: fixed memory figures (tests), else this computer's as the dialog opens."""
        super().__init__(parent)
        self.setWindowTitle("Models")
        self.library = ModelLibrary(models_dir)
        self.settings = settings
        self.catalog = catalog if catalog is not None else load_catalog()
        self.database = database
        self.memory = memory
        self.pool = QThreadPool(self)
        self.downloads: dict[str, DownloadControls] = {}
        self._usage_reads = 0  # only the latest read's answer is shown
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
        set_dialog_sizes(self, MINIMUM_SIZE, DEFAULT_SIZE, wrapped=False)
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
        fit = CatalogFit.judge(self.catalog, self.settings.context_length, self.memory)
        self.catalog_tab = CatalogTab(self.catalog, fit, self._catalog_controls)
        self.recommended = fit.recommended
        return self.catalog_tab

    def _catalog_controls(self, model: CatalogModel) -> DownloadControls:
        controls = DownloadControls.for_catalog(model, self.library)
        controls.set_offline(self.settings.offline)
        controls.download_finished.connect(self._on_installed)
        self.downloads[model.id] = controls
        return controls

    @Slot(str)
    def _on_installed(self, _model_id: str) -> None:
        self.refresh_installed()
        self.models_changed.emit()

    # --- installed -----------------------------------------------------------------------

    def _installed_tab(self) -> QWidget:
        self.installed_table = QTableWidget(0, len(INSTALLED_COLUMNS))
        self.installed_table.setHorizontalHeaderLabels(INSTALLED_COLUMNS)
        self.installed_table.setAccessibleName("Installed models")
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
        self.disk_use = QLabel()
        self.disk_use.setAccessibleName("Disk space used by models")
        self.remove_button.clicked.connect(self.remove_selected)
        self.importer = GgufImport(
            self.library, self.pool, self.import_button, self.installed_status, self
        )
        self.importer.model_imported.connect(self._on_imported)
        row = QHBoxLayout()
        row.addWidget(self.import_button)
        row.addWidget(self.remove_button)
        row.addStretch()
        row.addWidget(self.disk_use)
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
            cells = [model.name, human_size(model.size_bytes), model.quantization or "?", ""]
            for column, text in enumerate([*cells, str(model.path)]):
                table.setItem(row, column, QTableWidgetItem(text))
        table.resizeColumnsToContents()
        self.disk_use.setText(disk_use_text(self._installed))
        self._read_usage()

    def _read_usage(self) -> None:
        """Count the conversations of each installed model on the pool, not the UI thread."""
        if self.database is None or not self._installed:
            return
        self._usage_reads += 1
        read, database = self._usage_reads, self.database
        for row in range(len(self._installed)):
            self._set_usage(row, "…", "Counting the conversations that use this model…")
        run_in_background(
            self,
            self.pool,
            lambda _job: read_model_usage(database),
            partial(self._show_usage, read),
            self._usage_failed,
        )

    def _show_usage(self, read: int, usage: Any) -> None:
        if read != self._usage_reads:
            return  # the list changed meanwhile; a newer read is on its way
        for row, model in enumerate(self._installed):
            found = usage_for_labels(usage, (model.id, str(model.path)))
            self._set_usage(row, str(found.count), _usage_tooltip(found))
        self.usage_shown.emit()

    def _set_usage(self, row: int, text: str, tooltip: str) -> None:
        item = QTableWidgetItem(text)
        item.setToolTip(tooltip)
        self.installed_table.setItem(row, USAGE_COLUMN, item)

    def _usage_failed(self, message: str) -> None:
        for row in range(len(self._installed)):
            self._set_usage(row, "?", message)
        self.installed_status.setText(
            f"Hearth could not count the conversations that use each model: {message}"
        )

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


def _usage_tooltip(usage: ModelUsage) -> str:
    """The titles of the conversations that use a model, newest first."""
    if usage.count == 0:
        return "No conversation uses this model."
    lines = [f"Used by {usage.count} conversation{'s' if usage.count != 1 else ''}:"]
    lines += [f"• {title}" for title in usage.titles]
    if usage.count > len(usage.titles):
        lines.append(f"and {usage.count - len(usage.titles)} more")
    return "\n".join(lines)
