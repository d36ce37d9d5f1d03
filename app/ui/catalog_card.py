"""One catalog model as a card: what it is good at, its languages, the memory it needs here,
its download size, how fast it will be here, its license, and its download controls.

A table row could hold only a word per column; a card has room for the few facts a person
needs to choose a model, in words. The recommended model gets the same card, highlighted,
with why it is recommended. Every text comes from app/catalog/guide.py.
"""

from __future__ import annotations

from PySide6.QtWidgets import QFrame, QGridLayout, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from app.catalog.catalog import CatalogModel, license_notice
from app.catalog.fit import FitVerdict
from app.catalog.guide import (
    MemoryBar,
    good_for_text,
    language_names,
    languages_text,
    license_text,
    size_text,
    speed_class,
)
from app.ui.dialog_parts import ERROR_COLOUR
from app.ui.download_controls import DownloadControls
from app.ui.memory_bar import MemoryBarView
from app.ui.metrics import GAP_LARGE, GAP_SMALL, RADIUS

RECOMMENDED_TITLE = "Recommended for this computer"
CARD_STYLE = f"QFrame#catalog-card {{ border: 1px solid palette(mid); border-radius: {RADIUS}px; }}"
RECOMMENDED_STYLE = (
    "QFrame#recommended-card "
    f"{{ border: 2px solid palette(highlight); border-radius: {RADIUS}px; }}"
)


class CatalogCard(QFrame):
    """A catalog model's card; with a `reason`, the highlighted "recommended" card."""

    def __init__(
        self,
        model: CatalogModel,
        verdict: FitVerdict,
        bar: MemoryBar,
        controls: DownloadControls,
        reason: str | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.model = model
        self.controls = controls
        recommended = reason is not None
        self.setObjectName("recommended-card" if recommended else "catalog-card")
        self.setStyleSheet(RECOMMENDED_STYLE if recommended else CARD_STYLE)
        self.setAccessibleName(f"{RECOMMENDED_TITLE}: {model.name}" if recommended else model.name)
        self.setAccessibleDescription(model.description)
        self.title = QLabel(f"<b>{model.name}</b> · {model.parameters} · {model.quantization}")
        self.description = QLabel(model.description)
        self.good_for = QLabel(good_for_text(model))
        self.languages = QLabel(_languages_line(model))
        self.languages.setToolTip(", ".join(language_names(model)))
        self.memory = MemoryBarView(bar)
        self.download_size = QLabel(size_text(model))
        self.speed = QLabel(speed_class(model, verdict).value)
        self.license = _license_label(model)
        self.reason = QLabel(reason or "")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(GAP_LARGE, GAP_LARGE, GAP_LARGE, GAP_LARGE)
        layout.setSpacing(GAP_SMALL)
        if recommended:
            heading = QLabel(f"<b>{RECOMMENDED_TITLE}</b>")
            heading.setAccessibleName(RECOMMENDED_TITLE)
            layout.addWidget(heading)
        layout.addLayout(self._details())
        if recommended:
            layout.addWidget(self.reason)
        actions = QHBoxLayout()
        actions.addWidget(controls)
        actions.addStretch()  # the Download button keeps its own width
        layout.addLayout(actions)
        for label in self.findChildren(QLabel):
            label.setWordWrap(True)
        self.title.setWordWrap(False)
        self.reason.setVisible(recommended)

    def _details(self) -> QGridLayout:
        """What it is on the left; what it takes here on the right."""
        grid = QGridLayout()
        grid.setColumnStretch(0, 3)
        grid.setColumnStretch(1, 2)
        grid.setHorizontalSpacing(GAP_LARGE)
        left: tuple[QWidget, ...] = (self.title, self.description, self.good_for, self.languages)
        right: tuple[QWidget, ...] = (self.memory, self.speed, self.download_size, self.license)
        for row, (first, second) in enumerate(zip(left, right, strict=True)):
            grid.addWidget(first, row, 0)
            grid.addWidget(second, row, 1)
        return grid


def _languages_line(model: CatalogModel) -> str:
    text = languages_text(model)
    return f"Languages: {text}" if text else ""


def _license_label(model: CatalogModel) -> QLabel:
    """The license's name; terms with conditions or non-commercial use are flagged in red,
    and the tooltip is the notice shown again before downloading."""
    text, flagged = license_text(model)
    label = QLabel(f"License: {text}")
    if flagged:
        label.setStyleSheet(f"color: {ERROR_COLOUR};")
    label.setToolTip(license_notice(model))
    label.setAccessibleName(f"License: {text}")
    return label
