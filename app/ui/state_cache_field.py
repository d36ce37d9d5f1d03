"""The settings row for saved conversation states: how much disk they may use, how much they
use now, and a button that deletes them.

The states are a cache (app/engine/kept_states.py): deleting them loses nothing the user wrote,
only the time the next return to each conversation takes to re-read it.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QWidget

from app.engine.state_cache import delete_saved_states, saved_states_size
from app.ui.dialog_parts import int_spin_box
from app.units import human_size

MAX_MB = 1_000_000
EXPLANATION = (
    "Conversations you return to continue at once instead of re-reading their history. "
    "0 keeps them in memory only, until Hearth quits."
)


class StateCacheField(QWidget):
    """A size limit in MB (0: nothing on disk), the size in use, and Clear."""

    def __init__(self, folder: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._folder = folder
        self.limit = int_spin_box(0, MAX_MB, "Saved conversation states limit")
        self.limit.setSuffix(" MB")
        self.limit.setSpecialValueText("Memory only")
        self.limit.setToolTip(EXPLANATION)
        self.usage = QLabel()
        self.usage.setAccessibleName("Saved conversation states in use")
        self.clear_button = QPushButton("Clear")
        self.clear_button.setAccessibleName("Clear saved conversation states")
        self.clear_button.clicked.connect(self.clear)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        for widget in (self.limit, self.usage, self.clear_button):
            layout.addWidget(widget)
        self.show_usage()

    def show_usage(self) -> None:
        # A folder listing bounded by the limit (a few hundred files at most): cheap enough here
        used = saved_states_size(self._folder) if self._folder.is_dir() else 0
        self.usage.setText(f"{human_size(used)} in use")
        self.clear_button.setEnabled(used > 0)

    def clear(self) -> None:
        delete_saved_states(self._folder)
        self.show_usage()
