"""The catalog tab's filters: size, language and use, each with "Any".

Twenty models are too many to read through; three questions a person can answer ("how big
a download?", "which language?", "what for?") narrow them down. The choices and the
predicate are in app/catalog/guide.py (`CatalogFilter`); this row only offers them.

Signals:
    filter_changed(object): the new `CatalogFilter`, whenever a choice changes.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QWidget

from app.catalog.guide import LANGUAGE_CHOICES, LANGUAGE_NAMES, CatalogFilter, SizeClass

ANY = "Any"
USE_CHOICES = (("chat", "Chat"), ("summarize", "Summaries"), ("email", "E-mail"))


class CatalogFilters(QWidget):
    """Three drop-downs (see the module doc)."""

    filter_changed = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.size_box = _combo("Filter by download size", [(s, s.value) for s in SizeClass])
        languages = [(code, LANGUAGE_NAMES[code]) for code in LANGUAGE_CHOICES]
        self.language_box = _combo("Filter by language", languages)
        self.use_box = _combo("Filter by use", list(USE_CHOICES))
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        for caption, box in (
            ("Size:", self.size_box),
            ("Language:", self.language_box),
            ("Use:", self.use_box),
        ):
            label = QLabel(caption)
            label.setBuddy(box)
            layout.addWidget(label)
            layout.addWidget(box)
            box.currentIndexChanged.connect(self._changed)
        layout.addStretch()

    def current(self) -> CatalogFilter:
        size = self.size_box.currentData()  # Qt hands back a StrEnum as a plain str
        return CatalogFilter(
            size=SizeClass(size) if size else None,
            language=self.language_box.currentData(),
            use=self.use_box.currentData(),
        )

    def _changed(self, _index: int) -> None:
        self.filter_changed.emit(self.current())


def _combo(name: str, choices: list[tuple[Any, str]]) -> QComboBox:
    box = QComboBox()
    box.setAccessibleName(name)
    box.addItem(ANY, None)
    for value, text in choices:
        box.addItem(text, value)
    return box
