"""Download, progress, Pause/Resume/Cancel for one model file: a catalog model or a Hub file.

The controls know only what to show (a `DownloadOffer`) and how to make the child process
that downloads (`DownloadProcess`); the catalog tab, the Hub search tab and the first-run
dialog all use them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QObject, Signal, Slot
from PySide6.QtWidgets import QHBoxLayout, QLabel, QMessageBox, QProgressBar, QPushButton, QWidget

from app.catalog.catalog import CatalogModel, license_notice
from app.catalog.library import ModelLibrary
from app.ui.download_process import DownloadProcess
from app.units import human_size

OFFLINE_REASON = (
    "Offline mode is on, so Hearth does not use the network: downloads and Hub search are "
    "off. Turn it off in Settings to download a model, or import a .gguf file you already have."
)

ProcessFactory = Callable[[QObject], DownloadProcess]
"""Makes the download's child process, owned by the QObject it is given."""


@dataclass(frozen=True)
class DownloadOffer:
    """What the user is asked before downloading: a name, the size (None: unknown) and a
    notice to read first (a catalog model's license; for a Hub file, where it comes from)."""

    name: str
    size_bytes: int | None
    notice: str

    @property
    def question(self) -> str:
        size = f" ({human_size(self.size_bytes)})" if self.size_bytes is not None else ""
        return f"{self.notice}\n\nDownload {self.name}{size} now?"


class DownloadControls(QWidget):
    """Download, progress, Pause/Resume/Cancel for one file.

    Signals:
        download_finished(str): the model is installed (its id).
    """

    download_finished = Signal(str)

    def __init__(
        self,
        offer: DownloadOffer,
        make_process: ProcessFactory,
        *,
        installed: bool = False,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.offer = offer
        self._make_process = make_process
        self.process: DownloadProcess | None = None
        self.download_button = QPushButton("Download")
        self.pause_button = QPushButton("Pause")
        self.resume_button = QPushButton("Resume")
        self.cancel_button = QPushButton("Cancel")
        for button, verb in (
            (self.download_button, "Download"),
            (self.pause_button, "Pause downloading"),
            (self.resume_button, "Resume downloading"),
            (self.cancel_button, "Cancel downloading"),
        ):
            button.setAccessibleName(f"{verb} {offer.name}")
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
        self.show_state("installed" if installed else "idle")

    @classmethod
    def for_catalog(
        cls, model: CatalogModel, library: ModelLibrary, parent: QWidget | None = None
    ) -> DownloadControls:
        """Controls for a catalog model: its license is the notice."""
        offer = DownloadOffer(model.name, model.size_bytes, license_notice(model))
        return cls(
            offer,
            lambda owner: DownloadProcess.for_catalog(model, library, owner),
            installed=library.find(model.id) is not None,
            parent=parent,
        )

    def set_offline(self, offline: bool) -> None:
        self.download_button.setEnabled(not offline)
        self.resume_button.setEnabled(not offline)
        self.download_button.setToolTip(OFFLINE_REASON if offline else "")

    @Slot()
    def request_download(self) -> None:
        """Show the notice first; download only if the user accepts it."""
        answer = QMessageBox.question(self, f"Download {self.offer.name}?", self.offer.question)
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
        """Pause a running download (its part stays for next time) and wait for it."""
        if self.process is not None:
            self.process.stop_for_exit()

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.running

    @Slot()
    def _start(self) -> None:
        if self.process is None:
            self.process = self._make_process(self)
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
