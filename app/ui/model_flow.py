"""Which model the window runs on: a local one, or one on a server the user added.

Choosing a model (in the list above the conversation, the summaries' list, or by opening a
conversation) loads it through the session: a local model in the engine process, a server
model (`model@server`, for a server in servers.json) as a `RemoteEngine` that the session
uses for the jobs that follow. The server lists are asked for off the UI thread
(`ServerModels`). While the model is on a server, the status line says where the words go,
and a note says it once per conversation before its first message is sent.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject

from app.catalog.resolve import resolve_model
from app.engine.protocol import LoadConfig, ModelInfo
from app.errors import HearthError
from app.remote.choice import remote_choice, where_label
from app.remote.remote_engine import RemoteEngine
from app.remote.servers import servers_file
from app.ui.server_models import ServerModels

if TYPE_CHECKING:
    from app.ui.main_window import MainWindow

USE_LOCAL = "Use a local model"


class ModelFlow(QObject):
    """The window's model choice and loading; see the module docstring."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self._window = window
        self._told: set[int | None] = set()  # conversations already told where words go
        # What the history calls the local model asked for last (its id, or a file's path)
        self.local_label: str | None = None
        self.servers = ServerModels(
            servers_file(window.runtime.paths), lambda: window.runtime.settings.offline, self
        )
        for picker in (window.model_picker, window.summarize_panel.model_picker):
            self.servers.servers_read.connect(picker.set_servers)
            self.servers.models_listed.connect(picker.show_server_models)
        window.model_picker.model_chosen.connect(self._on_model_chosen)
        window.summarize_panel.model_picker.model_chosen.connect(
            lambda _path, label: self.load_for(label)
        )
        window.dialogs.models_changed.connect(self.refresh_pickers)
        window.dialogs.servers_changed.connect(self.servers.refresh)
        window.error_bar.reload_button.clicked.connect(self._reload)
        session = window.session
        session.model_loaded.connect(self._on_model_loaded)
        session.model_failed.connect(self._on_model_failed)
        session.state_changed.connect(self._on_state_changed)
        window.conversation_shown.connect(lambda _cid: self.tell_where_words_go())
        self.servers.refresh()

    def current_label(self) -> str | None:
        return self._window.model_picker.current_label()

    def refresh_pickers(self) -> None:
        """A model was installed or removed: list them again, keeping what is chosen."""
        window = self._window
        window.model_picker.refresh(self.current_label())
        loaded = window.session.model
        window.summarize_panel.model_picker.refresh(str(loaded.path) if loaded else None)

    def _on_model_chosen(self, _path: Path, label: str) -> None:
        cid = self._window.current_conversation_id()
        if cid is not None:
            self._window.history.update_conversation(cid, model=label)
        self.load_for(label)

    def load_for(self, label: str) -> None:
        """Load `label`'s model unless it is the one loaded: on its server when it names one
        the user added, else the local model it names."""
        window, session = self._window, self._window.session
        try:
            offline = window.runtime.settings.offline
            remote = remote_choice(window.runtime.paths, label, offline=offline)
            engine = RemoteEngine(*remote) if remote is not None else None
            local = resolve_model(label, window.library) if engine is None else None
            path = local.path if local is not None else Path(label)
        except HearthError as exc:
            window.error_bar.show_error(exc.message, False)
            return
        loaded = session.model
        if loaded is not None and loaded.path == path and session.on_server == (engine is not None):
            self.tell_where_words_go()
            return
        window.error_bar.hide()
        window.words_note.hide()  # until the model is ready: said again if it is on a server
        if local is not None:
            self.local_label = local.label
            session.load_model(window.runtime.load_config(path))
            return
        n_ctx = window.runtime.settings.context_length
        session.load_model(LoadConfig(path, n_ctx=n_ctx), engine)

    def _reload(self) -> None:
        self._window.error_bar.hide()
        self._window.session.reload()

    def where(self) -> str | None:
        """The server's name and address while the model is on one, else None."""
        engine = self._window.session.engine
        return where_label(engine) if isinstance(engine, RemoteEngine) else None

    def _on_model_loaded(self, info: ModelInfo) -> None:
        window = self._window
        window.status.show_model(info, self.where())
        window.summarize_panel.model_picker.refresh(str(info.path))
        if info.warnings:
            window.error_bar.show_error(" ".join(info.warnings), False)
        self.tell_where_words_go()

    def _on_model_failed(self, why: str) -> None:
        window = self._window
        if window.session.on_server:  # the server did not answer, or lacks the model
            window.error_bar.show_error(why, action=(USE_LOCAL, window.model_picker.showPopup))
        else:
            window.error_bar.show_error(why, action=("Models…", window.open_model_manager))

    def tell_where_words_go(self) -> None:
        """Before the first message of a conversation on a server: say where words go."""
        window, where = self._window, self.where()
        cid = window.current_conversation_id()
        if where is not None and window.session.model is not None and cid not in self._told:
            window.words_note.tell(where)
        else:
            window.words_note.hide()

    def _on_state_changed(self, state: str) -> None:
        """Words went to the server (a job runs there): the note has been read."""
        if state == "generating" and self._window.words_note.isVisible():
            self._told.add(self._window.current_conversation_id())
            self._window.words_note.hide()

    def shutdown(self) -> None:
        self.servers.shutdown()
