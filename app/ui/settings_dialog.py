"""The Settings dialog: edits a copy of the settings; OK checks and saves them, Cancel drops them.

Nothing changes until OK: the dialog never touches the `Settings` it was given. What is
wrong with the values is checked by `settings_problems` (no Qt) and shown in the dialog,
which stays open so nothing typed is lost.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QSize, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QFormLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.presets import sampling_problems
from app.runtime import Runtime
from app.serve.api_key import KEY_FILE_NAME, key_file
from app.settings import Settings, save_settings
from app.ui.dialog_parts import int_spin_box, ok_cancel_buttons, problems_label, widget_row
from app.ui.dialog_sizes import ScrolledPage, set_dialog_sizes
from app.ui.local_api_fields import PORT_RANGE, LocalApiFields
from app.ui.sampling_fields import SamplingFields
from app.ui.state_cache_field import StateCacheField

CONTEXT_RANGE = (256, 131072)
GPU_LAYERS_RANGE = (-1, 999)
THREADS_MAX = 256
MAX_DOCUMENT_MB = 2000
KV_CACHE_TYPES = ("f16", "q8_0", "q4_0")
THEME_CHOICES = (("system", "Same as the system"), ("light", "Light"), ("dark", "Dark"))
OFFLINE_EXPLANATION = "No network at all; downloads and Hub search are disabled."
# The fields scroll in a shorter dialog: it fits a small laptop screen.
MINIMUM_SIZE = QSize(460, 400)
DEFAULT_SIZE = QSize(560, 0)  # as tall as the fields need, if the screen has room


def settings_problems(settings: Settings) -> list[str]:
    """What is wrong with `settings`, as sentences for people; empty when they can be saved."""
    problems = []
    if not 0 <= settings.threads <= THREADS_MAX:
        problems.append(f"Threads must be between 0 (automatic) and {THREADS_MAX}.")
    low, high = CONTEXT_RANGE
    if not low <= settings.context_length <= high:
        problems.append(f"Context length must be between {low} and {high} tokens.")
    low, high = GPU_LAYERS_RANGE
    if not low <= settings.gpu_layers <= high:
        problems.append(f"GPU layers must be between {low} (all) and {high}.")
    if settings.kv_cache_type not in KV_CACHE_TYPES:
        problems.append(f"KV-cache type must be one of {', '.join(KV_CACHE_TYPES)}.")
    if settings.theme not in {name for name, _ in THEME_CHOICES}:
        problems.append("Theme must be system, light or dark.")
    if not 1 <= settings.max_document_mb <= MAX_DOCUMENT_MB:
        problems.append(f"The document size limit must be between 1 and {MAX_DOCUMENT_MB} MB.")
    low, high = PORT_RANGE
    if not low <= settings.local_api_port <= high:
        problems.append(f"The local API's port must be between {low} and {high}.")
    problems += sampling_problems(settings.sampling)
    return problems


def open_folder(folder: Path) -> bool:
    """Show `folder` in the system's file manager (creating it first, so there is one)."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return False
    return QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder)))


class SettingsDialog(QDialog):
    """Edit the settings; OK validates, saves to `settings_path` and reports the new ones.

    Signals:
        settings_saved(object): the new `Settings`, after they were written to the file.
        servers_requested(): the user pressed "Servers…" (the servers they added live in
            their own file and dialog, saved at once: not part of OK/Cancel here).
    """

    settings_saved = Signal(object)
    servers_requested = Signal()

    def __init__(
        self,
        settings: Settings,
        settings_path: Path,
        *,
        models_dir: Path,
        data_dir: Path,
        states_dir: Path,
        parent: QWidget | None = None,
        folder_opener: Callable[[Path], object] = open_folder,
        api_key_file: Path | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Settings")
        self.setAccessibleName("Settings")
        self._original = dataclasses.replace(
            settings, sampling=dataclasses.replace(settings.sampling)
        )
        self._path = settings_path
        self._open_folder = folder_opener
        self.saved_settings: Settings | None = None
        self._build_model_group()
        self._build_defaults_group()
        self._build_app_group(models_dir, data_dir)
        self.state_cache = StateCacheField(states_dir)
        # The key beside the settings file unless told: the config folder's, as `hearth serve`
        self.local_api = LocalApiFields(api_key_file or settings_path.parent / KEY_FILE_NAME)
        self._build_buttons()
        self._lay_out()
        self._show(self._original)

    @classmethod
    def for_runtime(cls, runtime: Runtime, parent: QWidget | None = None) -> SettingsDialog:
        """The dialog for the running app's settings file and folders."""
        return cls(
            runtime.settings,
            runtime.paths.settings_file,
            models_dir=runtime.models_dir,
            data_dir=runtime.paths.data_dir,
            states_dir=runtime.paths.states_dir,
            parent=parent,
            api_key_file=key_file(runtime.paths),
        )

    # -- building ------------------------------------------------------------------------

    def _build_model_group(self) -> None:
        cores = os.cpu_count() or 1
        self.threads = int_spin_box(0, THREADS_MAX, "Threads")
        self.threads.setSpecialValueText(f"Automatic ({cores} cores found)")
        self.threads.setToolTip(f"0 picks a number from the {cores} CPU cores of this computer.")
        # Wider than what is valid, so a mistyped value is explained instead of clamped.
        self.context_length = int_spin_box(0, 10_000_000, "Context length")
        self.context_length.setSingleStep(1024)
        self.context_length.setSuffix(" tokens")
        self.gpu_layers = int_spin_box(GPU_LAYERS_RANGE[0], GPU_LAYERS_RANGE[1], "GPU layers")
        self.gpu_layers.setSpecialValueText("All")
        self.kv_cache_type = QComboBox()
        self.kv_cache_type.setAccessibleName("KV-cache type")
        self.kv_cache_type.addItems(KV_CACHE_TYPES)

    def _build_defaults_group(self) -> None:
        self.system_prompt = QPlainTextEdit()
        self.system_prompt.setAccessibleName("Default system prompt")
        self.system_prompt.setTabChangesFocus(True)
        self.system_prompt.setFixedHeight(90)
        # T is taken by Threads above, so Alt+E for temperature here.
        self.sampling = SamplingFields(
            rows_above=[("System &prompt:", self.system_prompt)],
            temperature_label="T&emperature:",
        )
        self.temperature = self.sampling.temperature
        self.top_p = self.sampling.top_p
        self.max_tokens = self.sampling.max_tokens

    def _build_app_group(self, models_dir: Path, data_dir: Path) -> None:
        self.theme = QComboBox()
        self.theme.setAccessibleName("Theme")
        for name, label in THEME_CHOICES:
            self.theme.addItem(label, name)
        self.models_dir_field, self.open_models_button = self._folder_row(models_dir, "Models")
        self.data_dir_field, self.open_data_button = self._folder_row(data_dir, "Data")
        self.max_document_mb = int_spin_box(0, 100_000, "Document size limit")
        self.max_document_mb.setSuffix(" MB")
        self.max_document_mb.setToolTip("Larger documents are refused before they are read.")
        self.offline = QCheckBox("Offline mode")
        self.offline.setAccessibleName("Offline mode")
        self.offline.setAccessibleDescription(OFFLINE_EXPLANATION)
        self.offline_explanation = QLabel(OFFLINE_EXPLANATION)
        self.offline_explanation.setAccessibleName("Offline mode explanation")
        self.offline_explanation.setWordWrap(True)
        self.servers_button = QPushButton("Servers…")
        self.servers_button.setAccessibleName("Servers you added")
        self.servers_button.setToolTip("Use bigger models on a server you run, like a workstation")
        self.servers_button.clicked.connect(self.servers_requested)

    def _folder_row(self, folder: Path, what: str) -> tuple[QLineEdit, QPushButton]:
        field = QLineEdit(str(folder))
        field.setReadOnly(True)
        field.setAccessibleName(f"{what} folder")
        button = QPushButton("Open")
        button.setAccessibleName(f"Open the {what.lower()} folder")
        button.clicked.connect(lambda: self._open_folder(folder))
        return field, button

    def _build_buttons(self) -> None:
        self.error_label = problems_label()
        self.buttons, self.ok_button, self.cancel_button = ok_cancel_buttons(self, "Save settings")

    def _lay_out(self) -> None:
        model = QFormLayout()
        model.addRow("&Threads:", self.threads)
        model.addRow("&Context length:", self.context_length)
        model.addRow("&GPU layers:", self.gpu_layers)
        model.addRow("&KV-cache type:", self.kv_cache_type)
        defaults = QVBoxLayout()  # the group's margins around the sampling widget's form
        defaults.addWidget(self.sampling)
        app = QFormLayout()
        app.addRow("T&heme:", self.theme)
        app.addRow("Models folder:", widget_row(self.models_dir_field, self.open_models_button))
        app.addRow("Data folder:", widget_row(self.data_dir_field, self.open_data_button))
        app.addRow("&Document size limit:", self.max_document_mb)
        app.addRow("&Resume cache:", self.state_cache)
        app.addRow("Servers:", self.servers_button)
        app.addRow(self.offline)
        app.addRow(self.offline_explanation)
        local_api = QVBoxLayout()
        local_api.addWidget(self.local_api)
        page = QWidget()
        groups = QVBoxLayout(page)
        groups.setContentsMargins(0, 0, 0, 0)
        for title, form in (
            ("Model", model),
            ("New conversations", defaults),
            ("Hearth", app),
            ("Local API", local_api),
        ):
            group = QGroupBox(title)
            group.setLayout(form)
            groups.addWidget(group)
        groups.addStretch(1)
        self.page = ScrolledPage(page)
        layout = QVBoxLayout(self)
        layout.addWidget(self.page, 1)
        layout.addWidget(self.error_label)
        layout.addWidget(self.buttons)
        set_dialog_sizes(self, MINIMUM_SIZE, DEFAULT_SIZE.expandedTo(self.sizeHint()))

    # -- values --------------------------------------------------------------------------

    def _show(self, settings: Settings) -> None:
        self.threads.setValue(settings.threads)
        self.context_length.setValue(settings.context_length)
        self.gpu_layers.setValue(settings.gpu_layers)
        if self.kv_cache_type.findText(settings.kv_cache_type) < 0:
            self.kv_cache_type.addItem(settings.kv_cache_type)
        self.kv_cache_type.setCurrentText(settings.kv_cache_type)
        self.system_prompt.setPlainText(settings.default_system_prompt)
        self.sampling.show_sampling(settings.sampling)
        self.theme.setCurrentIndex(max(0, self.theme.findData(settings.theme)))
        self.max_document_mb.setValue(settings.max_document_mb)
        self.state_cache.limit.setValue(settings.state_cache_mb)
        self.offline.setChecked(settings.offline)
        self.local_api.show_settings(settings)

    def edited_settings(self) -> Settings:
        """The settings as the fields now show them (not checked, not saved)."""
        return dataclasses.replace(
            self._original,
            threads=self.threads.value(),
            context_length=self.context_length.value(),
            gpu_layers=self.gpu_layers.value(),
            kv_cache_type=self.kv_cache_type.currentText(),
            default_system_prompt=self.system_prompt.toPlainText(),
            sampling=self.sampling.edited_sampling(),
            theme=str(self.theme.currentData()),
            offline=self.offline.isChecked(),
            max_document_mb=self.max_document_mb.value(),
            state_cache_mb=self.state_cache.limit.value(),
            local_api=self.local_api.enabled.isChecked(),
            local_api_port=self.local_api.port.value(),
            local_api_store=self.local_api.store.isChecked(),
        )

    def show_problems(self, problems: list[str]) -> None:
        self.error_label.setText("\n".join(problems))
        self.error_label.setVisible(bool(problems))

    def accept(self) -> None:
        settings = self.edited_settings()
        problems = settings_problems(settings)
        if not problems:
            try:
                save_settings(settings, self._path)
            except OSError as exc:
                problems = [f"The settings could not be saved to {self._path}: {exc.strerror}."]
        if problems:
            self.show_problems(problems)
            return
        self.show_problems([])
        self.saved_settings = settings
        self.settings_saved.emit(settings)
        super().accept()
