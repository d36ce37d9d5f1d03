"""Choosing the model for the current conversation: installed models, or any .gguf file."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QFileDialog, QWidget

from app.catalog.library import ModelLibrary

OPEN_FILE = "Open a .gguf file…"


class ModelPicker(QComboBox):
    """Lists installed models; the last entry opens a file dialog.

    Signals:
        model_chosen(object, str): the model file (Path) and what conversations remember
            of it (the installed id, or the file's path).
    """

    model_chosen = Signal(object, str)

    def __init__(self, library: ModelLibrary, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._library = library
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
        self.addItem(OPEN_FILE, "open")
        self.show_label(current_label)
        self.blockSignals(False)

    def show_label(self, label: str | None) -> None:
        """Select the entry for `label` (an id or a path), adding a path entry if needed."""
        for row in range(self.count()):
            data = self.itemData(row)
            if isinstance(data, tuple) and label in data:
                self.setCurrentIndex(row)
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
