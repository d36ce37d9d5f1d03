"""The main window's dialogs: models, first-run onboarding, settings, the servers the user
added, conversation settings, documents to summarize.

Each dialog module is imported when it is first opened (the window starts faster). The model
manager and onboarding stay alive while open so their downloads go on; `shutdown()` pauses
those downloads (their partial files resume next time).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QApplication, QDialog, QFileDialog, QWidget

from app.catalog.library import ModelLibrary
from app.documents.extract import SUPPORTED_SUFFIXES
from app.runtime import Runtime
from app.settings import Settings
from app.store import History
from app.ui.theme import apply_theme

if TYPE_CHECKING:
    from app.ui.model_manager_dialog import ModelManagerDialog
    from app.ui.onboarding_dialog import OnboardingDialog
    from app.ui.servers_dialog import ServersDialog


class WindowDialogs(QObject):
    """Opens the window's dialogs and passes on what they change.

    Signals:
        models_changed(): a model was installed or removed.
        first_model_ready(str): onboarding installed the user's first model (its id).
        settings_saved(object): the new Settings, already applied (theme at once).
        servers_changed(): a server was added or removed (servers.json changed).
    """

    models_changed = Signal()
    first_model_ready = Signal(str)
    settings_saved = Signal(object)
    servers_changed = Signal()

    def __init__(self, runtime: Runtime, window: QWidget) -> None:
        super().__init__(window)
        self._runtime = runtime
        self._window = window
        self.model_manager: ModelManagerDialog | None = None
        self.onboarding: OnboardingDialog | None = None
        self.servers_dialog: ServersDialog | None = None

    def open_model_manager(self) -> None:
        """The catalog, downloads and installed models; kept alive so downloads go on."""
        if self.model_manager is None:
            from app.ui.model_manager_dialog import ModelManagerDialog

            self.model_manager = ModelManagerDialog(
                self._runtime.models_dir,
                self._runtime.settings,
                self._window,
                database=self._runtime.paths.database,
            )
            self.model_manager.models_changed.connect(self.models_changed)
        self.model_manager.show()
        self.model_manager.raise_()

    def start_onboarding_if_needed(self) -> None:
        """First run (no model installed): explain, recommend, download or import one."""
        if ModelLibrary(self._runtime.models_dir).installed() or self.onboarding is not None:
            return
        from app.ui.onboarding_dialog import OnboardingDialog

        self.onboarding = OnboardingDialog(
            self._runtime.models_dir, self._runtime.settings, self._window
        )
        self.onboarding.model_ready.connect(self.first_model_ready)
        self._open_over_window(self.onboarding)

    def open_settings(self) -> None:
        from app.ui.settings_dialog import SettingsDialog

        dialog = SettingsDialog.for_runtime(self._runtime, self._window)
        dialog.settings_saved.connect(self.apply_settings)
        dialog.servers_requested.connect(self.open_servers)
        self._open_over_window(dialog)

    def open_servers(self) -> None:
        """The servers the user added: add, test, remove (network work off the UI thread)."""
        from app.remote.servers import servers_file
        from app.ui.servers_dialog import ServersDialog

        if self.servers_dialog is None:
            self.servers_dialog = ServersDialog(
                servers_file(self._runtime.paths),
                self._window,
                offline=lambda: self._runtime.settings.offline,
            )
            self.servers_dialog.servers_changed.connect(self.servers_changed)
        self.servers_dialog.reload()
        self.servers_dialog.show()
        self.servers_dialog.raise_()

    def apply_settings(self, settings: Settings) -> None:
        """New settings apply at once: theme now, model options at the next model load."""
        self._runtime.settings = settings
        app = QApplication.instance()
        if isinstance(app, QApplication):
            apply_theme(app, settings.theme)
        self.settings_saved.emit(settings)

    def open_conversation_settings(self, history: History, conversation_id: int) -> None:
        from app.presets import presets_file
        from app.ui.conversation_settings_dialog import ConversationSettingsDialog

        dialog = ConversationSettingsDialog(
            history,
            conversation_id,
            presets_file(self._runtime.paths),
            defaults=self._runtime.settings.sampling,
            parent=self._window,
        )
        self._open_over_window(dialog)

    def _open_over_window(self, dialog: QDialog) -> None:
        """Open `dialog` window-modal; once it closes, the window is the active one again,
        so its shortcuts (Esc stops a reply, Ctrl+K searches) answer at once. Window
        managers usually do this, but not all do (nor Qt's offscreen platform)."""
        dialog.finished.connect(self._window.activateWindow)
        dialog.open()

    def choose_documents(self) -> list[Path]:
        """The documents the user picks to summarize (none if they cancel)."""
        suffixes = " ".join(f"*{suffix}" for suffix in SUPPORTED_SUFFIXES)
        paths, _ = QFileDialog.getOpenFileNames(
            self._window, "Summarize documents", "", f"Documents ({suffixes});;All files (*)"
        )
        return [Path(p) for p in paths]

    def shutdown(self) -> None:
        """Pause downloads (their partial files resume next time); end a connection test."""
        for dialog in (self.model_manager, self.onboarding, self.servers_dialog):
            if dialog is not None:
                dialog.shutdown()
