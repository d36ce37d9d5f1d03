"""The model manager: the catalog (with will-it-fit and downloads), installed models, Hub search.

Downloads run in child processes (`DownloadProcess`); importing a file and searching the Hub
run as `BackgroundTask`s on the dialog's own thread pool. With offline mode on, nothing here
uses the network and the dialog says why downloads and search are off.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QThreadPool, Signal, Slot
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.catalog.catalog import CatalogModel, license_notice, load_catalog
from app.catalog.fit import FitVerdict, estimate_memory, judge_fit, recommend_model
from app.catalog.library import InstalledModel, ModelLibrary
from app.catalog.model_shape import shape_from_catalog
from app.errors import HearthError, message_for_people
from app.settings import Settings
from app.ui.background import BackgroundTask, CancelToken
from app.ui.download_process import DownloadProcess
from app.units import human_size

OFFLINE_REASON = (
    "Offline mode is on, so Hearth does not use the network: downloads and Hub search are "
    "off. Turn it off in Settings to download a model, or import a .gguf file you already have."
)
GGUF_FILTER = "GGUF models (*.gguf)"


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
        verdicts = {
            m.id: judge_fit(estimate_memory(shape_from_catalog(m), n_ctx), total, available)
            for m in catalog
        }
        return cls(verdicts, recommend_model(catalog, total, available, n_ctx))


def run_in_background(
    owner: QObject,
    pool: QThreadPool,
    work: Callable[[CancelToken], Any],
    on_success: Callable[[Any], None],
    on_failure: Callable[[str], None],
) -> BackgroundTask:
    """Start `work` on `pool`; the task stays referenced by `owner` until it finishes."""
    task = BackgroundTask(work, parent=owner)
    task.succeeded.connect(on_success)
    task.failed.connect(lambda error: on_failure(message_for_people(error)))
    task.finished.connect(task.deleteLater)
    task.start(pool)
    return task


def choose_gguf_file(parent: QWidget) -> Path | None:
    path, _ = QFileDialog.getOpenFileName(parent, "Import a model", "", GGUF_FILTER)
    return Path(path) if path else None


def import_in_background(
    owner: QObject,
    pool: QThreadPool,
    library: ModelLibrary,
    path: Path,
    feedback: tuple[QPushButton, QLabel],
    on_imported: Callable[[Any], None],
) -> None:
    """Validate and bring in `path` off the UI thread; the button waits, the label reports."""
    button, label = feedback
    button.setEnabled(False)
    label.setText(f"Importing {path.name}…")

    def failed(message: str) -> None:
        button.setEnabled(True)
        label.setText(message)

    run_in_background(owner, pool, lambda _token: library.import_file(path), on_imported, failed)


class DownloadControls(QWidget):
    """Download, progress, Pause/Resume/Cancel for one catalog model.

    Signals:
        download_finished(str): the model is installed (its id).
    """

    download_finished = Signal(str)

    def __init__(
        self, model: CatalogModel, library: ModelLibrary, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.model = model
        self._library = library
        self.process: DownloadProcess | None = None
        self.download_button = QPushButton("Download")
        self.pause_button = QPushButton("Pause")
        self.resume_button = QPushButton("Resume")
        self.cancel_button = QPushButton("Cancel")
        self.progress_bar = QProgressBar()
        self.status = QLabel()
        self.status.setWordWrap(True)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        widgets: list[QWidget] = [self.download_button, self.progress_bar, self.pause_button]
        for widget in [*widgets, self.resume_button, self.cancel_button, self.status]:
            layout.addWidget(widget)
        self.download_button.clicked.connect(self.request_download)
        self.pause_button.clicked.connect(self.pause)
        self.resume_button.clicked.connect(self._start)
        self.cancel_button.clicked.connect(self.cancel)
        self.show_state("installed" if library.find(model.id) else "idle")

    def set_offline(self, offline: bool) -> None:
        self.download_button.setEnabled(not offline)
        self.resume_button.setEnabled(not offline)
        self.download_button.setToolTip(OFFLINE_REASON if offline else "")

    @Slot()
    def request_download(self) -> None:
        """Show the license first; download only if the user accepts it."""
        answer = QMessageBox.question(
            self,
            f"Download {self.model.name}?",
            f"{license_notice(self.model)}\n\nDownload {self.model.name} "
            f"({human_size(self.model.size_bytes)}) now?",
        )
        if answer == QMessageBox.StandardButton.Yes:
            self._start()

    @Slot()
    def pause(self) -> None:
        if self.process is not None:
            self.process.pause()

    @Slot()
    def cancel(self) -> None:
        if self.process is not None:
            self.process.cancel()

    def stop_for_exit(self) -> None:
        if self.process is not None:
            self.process.stop_for_exit()

    @Slot()
    def _start(self) -> None:
        if self.process is None:
            self.process = DownloadProcess.for_catalog(self.model, self._library, self)
            self.process.progress.connect(self._on_progress)
            self.process.paused.connect(lambda: self.show_state("paused", "Paused"))
            self.process.cancelled.connect(lambda: self.show_state("idle"))
            self.process.failed.connect(lambda message: self.show_state("idle", message))
            self.process.finished_ok.connect(self._on_finished)
        self.show_state("running", "Starting…")
        self.process.start()

    @Slot(int, str)
    def _on_progress(self, percent: int, text: str) -> None:
        self.progress_bar.setValue(percent)
        self.progress_bar.setToolTip(text)
        self.status.setText(f"{percent}%")

    @Slot(str)
    def _on_finished(self, model_id: str) -> None:
        self.show_state("installed")
        self.download_finished.emit(model_id)

    def show_state(self, state: str, message: str = "") -> None:
        self.download_button.setVisible(state == "idle")
        self.progress_bar.setVisible(state in ("running", "paused"))
        self.pause_button.setVisible(state == "running")
        self.resume_button.setVisible(state == "paused")
        self.cancel_button.setVisible(state in ("running", "paused"))
        self.status.setText("Installed" if state == "installed" else message)


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
        self.tabs.addTab(self._search_tab(), "Hub search")
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
        self.pool.waitForDone()

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
            controls = DownloadControls(model, self.library)
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
        self.installed_status = QLabel()
        self.installed_status.setWordWrap(True)
        self.remove_button.clicked.connect(self.remove_selected)
        self.import_button.clicked.connect(self._choose_import)
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

    @Slot()
    def _choose_import(self) -> None:
        if path := choose_gguf_file(self):
            self.import_file(path)

    def import_file(self, path: Path) -> None:
        """Check and bring in `path` in the background; the outcome shows under the table."""
        feedback = (self.import_button, self.installed_status)
        import_in_background(self, self.pool, self.library, path, feedback, self._on_imported)

    def _on_imported(self, model: InstalledModel) -> None:
        self.import_button.setEnabled(True)
        self.installed_status.setText(f"Imported {model.name} as {model.id}.")
        self._on_installed(model.id)

    # --- Hub search ----------------------------------------------------------------------

    def _search_tab(self) -> QWidget:
        self.search_field = QLineEdit()
        self.search_field.setPlaceholderText("Search GGUF models on the Hugging Face Hub")
        self.search_button = QPushButton("Search")
        self.search_results = QListWidget()
        self.search_status = QLabel(
            OFFLINE_REASON
            if self.settings.offline
            else "Searching sends your search words to huggingface.co; nothing else."
        )
        self.search_status.setWordWrap(True)
        for widget in (self.search_field, self.search_button):
            widget.setEnabled(not self.settings.offline)
        self.search_field.returnPressed.connect(self.search)
        self.search_button.clicked.connect(self.search)
        row = QHBoxLayout()
        row.addWidget(self.search_field)
        row.addWidget(self.search_button)
        tab = QWidget()
        layout = QVBoxLayout(tab)
        layout.addLayout(row)
        layout.addWidget(self.search_results)
        layout.addWidget(self.search_status)
        return tab

    @Slot()
    def search(self) -> None:
        query = self.search_field.text().strip()
        if not query or self.settings.offline:
            return
        from app.catalog.hub import search_gguf_repos

        self.search_button.setEnabled(False)
        self.search_status.setText(f"Searching for {query!r}…")
        run_in_background(
            self,
            self.pool,
            lambda _token: search_gguf_repos(query),
            self._on_search_results,
            self._on_search_failed,
        )

    def _on_search_results(self, repos: list[Any]) -> None:
        self.search_button.setEnabled(True)
        self.search_results.clear()
        for repo in repos:
            gated = " — gated: needs the author's approval and a token" if repo.gated else ""
            self.search_results.addItem(f"{repo.id}   {repo.downloads:,} downloads{gated}")
        self.search_status.setText(
            "Download a file from a repo with: hearth models download REPO FILENAME"
            if repos
            else "No GGUF repos match."
        )

    def _on_search_failed(self, message: str) -> None:
        self.search_button.setEnabled(True)
        self.search_status.setText(message)
