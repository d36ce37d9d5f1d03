"""First run: no model is installed yet, so help the user get one (download or import).

Short on purpose: a welcome, one sentence on privacy, the model Hearth recommends for this
computer as a card, and the two ways to get it. Everything else (other models, the Hub)
is in the model manager, which people find once they need it.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSize, QThreadPool, Signal, Slot
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from app.catalog.catalog import CatalogModel, load_catalog
from app.catalog.guide import CatalogFit
from app.catalog.library import InstalledModel, ModelLibrary
from app.settings import Settings
from app.ui.card_frame import emphasized, muted
from app.ui.dialog_sizes import set_dialog_sizes
from app.ui.download_controls import OFFLINE_REASON, DownloadControls
from app.ui.icons import icon
from app.ui.metrics import (
    DIALOG_MARGIN,
    GAP,
    GAP_SMALL,
    ICON_LOGO,
    TEXT_SMALL,
    TEXT_WELCOME,
)
from app.ui.model_card import ModelCard
from app.ui.model_import import GgufImport
from app.units import human_size

TITLE = "Welcome to Hearth"
PRIVACY = (
    "Hearth runs on this computer, so what you write never leaves it: downloading a model "
    "is the only time Hearth uses the network."
)
RECOMMENDED_HEADING = "Recommended for this computer"
IMPORT_TEXT = "I already have a GGUF file…"
OFFLINE_HINT = (
    "No internet here? Copy a .gguf model file onto this computer (from a USB stick, for "
    f"example) and choose “{IMPORT_TEXT}”"
)
MINIMUM_SIZE = QSize(480, 400)
DEFAULT_SIZE = QSize(600, 540)
BUTTON_SIZE = QSize(240, 34)  # the two ways to get a model: larger than other buttons


class OnboardingDialog(QDialog):
    """Welcomes the user and gets the first model.

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
        self.setWindowTitle(TITLE)
        self.library = ModelLibrary(models_dir)
        self.pool = QThreadPool(self)
        catalog = catalog if catalog is not None else load_catalog()
        fit = CatalogFit.judge(catalog, settings.context_length)
        self.recommended = fit.recommended
        self.card = ModelCard(self.recommended, fit.verdicts[self.recommended.id])
        self.download = DownloadControls.for_catalog(self.recommended, self.library)
        self.download.download_finished.connect(self._finish)
        self.import_button = QPushButton(IMPORT_TEXT)
        self.import_button.setAccessibleName("Import a GGUF model file you already have")
        self.status = QLabel(OFFLINE_REASON if settings.offline else "")
        self.status.setAccessibleName("Import status")
        self.offline_hint = muted(QLabel(OFFLINE_HINT), smaller=True)
        self.offline_hint.setVisible(not settings.offline)  # offline: the status says it
        self.importer = GgufImport(self.library, self.pool, self.import_button, self.status, self)
        self.importer.model_imported.connect(self._on_imported)
        self._set_up_download(settings.offline)
        self._lay_out()
        # Never so small that wrapped text is cut off (a long license note needs more).
        set_dialog_sizes(self, MINIMUM_SIZE, DEFAULT_SIZE)

    @property
    def model_label(self) -> QLabel:
        """The recommended model's name."""
        return self.card.name_label

    @property
    def license_label(self) -> QLabel:
        return self.card.license_label

    def _set_up_download(self, offline: bool) -> None:
        """The download is the main action (Enter presses it), unless Hearth is offline."""
        button = self.download.download_button
        button.setText(f"Download ({human_size(self.recommended.size_bytes)})")
        self.download.set_offline(offline)
        if row := self.download.layout():
            row.setContentsMargins(0, 0, 0, 0)  # line up with the card
        for choice in (button, self.import_button):
            choice.setMinimumSize(BUTTON_SIZE)
            choice.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        (self.import_button if offline else button).setDefault(True)

    def _lay_out(self) -> None:
        logo = QLabel()
        logo.setPixmap(icon("hearth").pixmap(QSize(ICON_LOGO, ICON_LOGO), self.devicePixelRatioF()))
        title = emphasized(QLabel(TITLE), TEXT_WELCOME)
        header = QHBoxLayout()
        header.setSpacing(GAP)
        header.addWidget(logo)
        header.addWidget(title, 1)
        privacy = QLabel(PRIVACY)
        privacy.setAccessibleName("Privacy")
        heading = emphasized(muted(QLabel(RECOMMENDED_HEADING)), TEXT_SMALL)
        choices = QHBoxLayout()
        choices.addWidget(self.import_button)
        choices.addStretch(1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        later = buttons.button(QDialogButtonBox.StandardButton.Cancel)
        later.setText("Later")
        later.setAccessibleName("Later: close without a model")
        later.setAutoDefault(False)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(DIALOG_MARGIN, DIALOG_MARGIN, DIALOG_MARGIN, DIALOG_MARGIN)
        layout.setSpacing(GAP)
        layout.addLayout(header)
        layout.addWidget(privacy)
        layout.addSpacing(GAP_SMALL)
        for widget in (heading, self.card, self.download):
            layout.addWidget(widget)
        layout.addLayout(choices)
        for widget in (self.status, self.offline_hint):
            layout.addWidget(widget)
        layout.addStretch(1)
        layout.addWidget(buttons)
        for label in (privacy, self.status, self.offline_hint):
            label.setWordWrap(True)

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
