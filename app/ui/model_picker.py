"""Choosing the model for the current conversation: installed models, models on the
servers the user added ("MODEL — on SERVER", remembered as `model@server`), or any .gguf
file. The picker never asks a server anything: the window lists each server's models off the
UI thread and hands them over (`show_server_models`)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QFileDialog, QWidget

from app.catalog.library import ModelLibrary
from app.remote.remote_engine import remote_label
from app.remote.servers import split_model_at_server

OPEN_FILE = "Open a .gguf file…"


class ModelPicker(QComboBox):
    """Lists installed models, then server models; the last entry opens a file dialog.

    Signals:
        model_chosen(object, str): the model file (Path) and what conversations remember
            of it (the installed id, or the file's path).
    """

    model_chosen = Signal(object, str)

    def __init__(self, library: ModelLibrary, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._library = library
        self._servers: dict[str, tuple[str, ...]] = {}  # added server -> its models, in order
        self.setAccessibleName("Model")
        self.setToolTip("The model for this conversation")
        self.setMinimumContentsLength(24)
        self.activated.connect(self._on_activated)
        self.refresh()

    def refresh(self, current_label: str | None = None) -> None:
        self.blockSignals(True)
        self.clear()
        self.addItem("Choose a model…", None)
        for model in self._library.installed():
            self.addItem(
                f"{model.name} ({model.quantization or model.source})", (str(model.path), model.id)
            )
        for server, models in self._servers.items():
            for name in models:
                label = remote_label(name, server)
                self.addItem(server_entry_text(name, server), (label, label))
        self.addItem(OPEN_FILE, "open")
        self.show_label(current_label)
        self.blockSignals(False)

    def set_servers(self, names: list[str]) -> None:
        """The servers the user added now (their models are listed later, if they answer)."""
        self._servers = {name: self._servers.get(name, ()) for name in names}
        self.refresh(self.current_label())

    def show_server_models(self, server: str, models: list[str]) -> None:
        """`server` answered with `models`: list them, keeping the entry chosen."""
        if server in self._servers:
            self._servers[server] = tuple(models)
            self.refresh(self.current_label())

    def current_label(self) -> str | None:
        """What the conversation remembers of the chosen entry (None: nothing chosen)."""
        data = self.currentData()
        return str(data[1]) if isinstance(data, tuple) else None

    def show_label(self, label: str | None) -> None:
        """Select the entry for `label` (an id, a path or `model@server`), adding an entry
        for a server model not listed (yet) or a file if needed."""
        for row in range(self.count()):
            data = self.itemData(row)
            if isinstance(data, tuple) and label in data:
                self.setCurrentIndex(row)
                return
        split = split_model_at_server(label, list(self._servers)) if label else None
        if label and split is not None:
            self.insertItem(self.count() - 1, server_entry_text(*split), (label, label))
            self.setCurrentIndex(self.count() - 2)
            return
        if label and Path(label).is_file():
            self.insertItem(self.count() - 1, Path(label).name, (label, label))
            self.setCurrentIndex(self.count() - 2)
            return
        self.setCurrentIndex(0)

    def _on_activated(self, row: int) -> None:
        data = self.itemData(row)
        if data == "open":
            self._open_file()
        elif isinstance(data, tuple):
            self.model_chosen.emit(Path(data[0]), data[1])

    def _open_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, "Open a model", str(Path.home()), "GGUF models (*.gguf)"
        )
        if path:
            self.show_label(path)
            self.model_chosen.emit(Path(path), path)
        else:
            self.setCurrentIndex(0)


def server_entry_text(model: str, server: str) -> str:
    return f"{model} — on {server}"
